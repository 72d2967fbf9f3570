import { useState } from 'preact/hooks';

/** A prompt or thinking text: shown whole when short, else cut with a button to show the rest. */
export function LongText({
  text,
  limit = 1200,
  class: className = 'long-text',
}: {
  text: string;
  limit?: number;
  class?: string;
}) {
  const [open, setOpen] = useState(false);
  const long = text.length > limit;
  const shown =
    long && !open
      ? `${Array.from(text.slice(0, limit * 2))
          .slice(0, limit)
          .join('')}…`
      : text;
  return (
    <div class={className}>
      <div class="pre">{shown}</div>
      {long ? (
        <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Show less' : `Show all ${text.length.toLocaleString()} characters`}
        </button>
      ) : null}
    </div>
  );
}
