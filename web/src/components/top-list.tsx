import type { ComponentChildren } from 'preact';
import { Link } from 'wouter-preact';
import type { UsageSums } from '../api/types';
import { formatCompact, formatInteger } from '../format';

/** A card of the top users, models or clients of a range, each row opening the sessions behind it. */
export function TopList({
  title,
  rows,
  testId,
}: {
  title: string;
  testId: string;
  rows: { key: string; label: ComponentChildren; sums: UsageSums; to: string }[];
}) {
  return (
    <section class="card" aria-label={title} data-testid={testId}>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p class="muted">None in this range.</p>
      ) : (
        <table class="data compact">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" class="number">
                Requests
              </th>
              <th scope="col" class="number">
                Tokens
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <td>
                  <Link href={row.to}>{row.label}</Link>
                </td>
                <td class="number">{formatInteger(row.sums.interceptions)}</td>
                <td class="number" title={formatInteger(row.sums.input_tokens + row.sums.output_tokens)}>
                  {formatCompact(row.sums.input_tokens + row.sums.output_tokens)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
