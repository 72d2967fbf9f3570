import type { TokenSums } from '../api/types';
import { formatCompact, formatInteger } from '../format';

/** Input / output / cache tokens in one compact cell, exact numbers in the tooltip. */
export function TokenCell({ usage }: { usage: TokenSums }) {
  const exact =
    `input ${formatInteger(usage.input_tokens)}, output ${formatInteger(usage.output_tokens)}, ` +
    `cache read ${formatInteger(usage.cache_read_input_tokens)}, cache write ${formatInteger(usage.cache_write_input_tokens)}`;
  return (
    <span class="tokens" title={exact}>
      <span class="visually-hidden">{exact}</span>
      <span aria-hidden="true">{formatCompact(usage.input_tokens)}</span>
      <span class="muted" aria-hidden="true">
        /
      </span>
      <span aria-hidden="true">{formatCompact(usage.output_tokens)}</span>
      {usage.cache_read_input_tokens + usage.cache_write_input_tokens > 0 ? (
        <span class="muted cache" aria-hidden="true">
          {' '}
          +{formatCompact(usage.cache_read_input_tokens)}r {formatCompact(usage.cache_write_input_tokens)}w
        </span>
      ) : null}
    </span>
  );
}

/** A list of tags (providers, models). */
export function Tags({ values }: { values: string[] }) {
  return (
    <span class="tags">
      {values.map((value) => (
        <span class="tag" key={value}>
          {value}
        </span>
      ))}
    </span>
  );
}

/** The error of an interception or thread, when the server reports one. */
export function ErrorBadge({
  record,
}: {
  record: { error_type?: string | null; error_message?: string | null; upstream_status?: number | null };
}) {
  if (
    !record.error_type &&
    !record.error_message &&
    !(record.upstream_status && record.upstream_status >= 400)
  )
    return null;
  const label = record.error_type ?? (record.upstream_status ? `HTTP ${record.upstream_status}` : 'error');
  return (
    <span class="badge danger" title={record.error_message ?? undefined}>
      {label}
    </span>
  );
}
