import { formatInteger } from '../format';

/** "1–50 of 1,234" with previous/next buttons for offset paging. */
export function Pager({
  offset,
  pageSize,
  count,
  shown,
  onOffset,
  noun,
}: {
  offset: number;
  pageSize: number;
  count: number;
  shown: number;
  onOffset: (offset: number) => void;
  noun: string;
}) {
  return (
    <nav class="pager" aria-label={`${noun} pages`}>
      <span aria-live="polite">
        {count === 0
          ? `No ${noun}`
          : `${formatInteger(offset + 1)}–${formatInteger(offset + shown)} of ${formatInteger(count)} ${noun}`}
      </span>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
        Previous
      </button>
      <button type="button" disabled={offset + shown >= count} onClick={() => onOffset(offset + pageSize)}>
        Next
      </button>
    </nav>
  );
}
