import { keepPreviousData, useQuery } from '@tanstack/preact-query';
import { useMemo } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { api, queryString, searchQuery } from '../api/client';
import type { Usage, UsageSums } from '../api/types';
import { UserCell } from '../components/avatar';
import { type ChartGroup, StackedChart } from '../components/stacked-chart';
import { Empty, Failed, Loading } from '../components/states';
import { TopList } from '../components/top-list';
import { formatCompact, formatInteger, formatPercent, fromLocalInput, toLocalInput } from '../format';
import { href, type UrlParams, useUrlState } from '../url-state';

const hourMs = 3_600_000;
const dayMs = 86_400_000;
const presets = [
  { key: '24h', label: '24 hours', span: dayMs, interval: 'hour' },
  { key: '7d', label: '7 days', span: 7 * dayMs, interval: 'hour' },
  { key: '30d', label: '30 days', span: 30 * dayMs, interval: 'day' },
  { key: '90d', label: '90 days', span: 90 * dayMs, interval: 'day' },
] as const;
const groupings = [
  { key: 'model', label: 'Model' },
  { key: 'user', label: 'User' },
  { key: 'client', label: 'Client' },
  { key: 'provider', label: 'Provider' },
] as const;
const metrics = {
  requests: { label: 'Requests', read: (sums: UsageSums) => sums.interceptions },
  tokens: {
    label: 'Tokens (input + output)',
    read: (sums: UsageSums) => sums.input_tokens + sums.output_tokens,
  },
  cache: { label: 'Cache read tokens', read: (sums: UsageSums) => sums.cache_read_input_tokens },
} as const;
type Metric = keyof typeof metrics;

const palette = [
  '#4f46e5',
  '#0ea5e9',
  '#10b981',
  '#f59e0b',
  '#ef4444',
  '#a855f7',
  '#14b8a6',
  '#f97316',
  '#64748b',
];

/** The time range of the URL: a preset (default 24 h) or a custom from/to. */
function rangeOf(params: UrlParams, now: number) {
  if (params.range === 'custom' && params.from) {
    const from = Date.parse(params.from);
    const to = params.to ? Date.parse(params.to) : now;
    if (!Number.isNaN(from) && !Number.isNaN(to) && to > from) {
      return { from, to, interval: to - from <= 7 * dayMs ? 'hour' : 'day', key: 'custom' } as const;
    }
  }
  const preset = presets.find((candidate) => candidate.key === params.range) ?? presets[0];
  return { from: now - preset.span, to: now, interval: preset.interval, key: preset.key } as const;
}

/** Where a group's records are in the sessions list. */
function groupFilter(groupBy: string, group: { key: string | null; label: string }): UrlParams {
  if (group.key === null) return {};
  if (groupBy === 'user') return { initiator: group.label };
  return { [groupBy]: group.key };
}

/** Totals, a stacked chart over time and the top users, models and clients of a time range. */
export function Overview() {
  const [params, setParams] = useUrlState();
  const [, navigate] = useLocation();
  // The range is anchored to the minute, so the query key (and its cache) holds for a minute.
  const now = Math.ceil(Date.now() / 60_000) * 60_000;
  const range = rangeOf(params, now);
  const groupBy = groupings.find((grouping) => grouping.key === params.group_by)?.key ?? 'model';
  const metric: Metric = params.metric && params.metric in metrics ? (params.metric as Metric) : 'tokens';
  const startedAfter = new Date(range.from).toISOString();
  const startedBefore = new Date(range.to).toISOString();
  const q = searchQuery({ started_after: startedAfter, started_before: startedBefore });
  const usage = useQuery({
    queryKey: ['usage', q, range.interval, groupBy],
    queryFn: () =>
      api<Usage>(
        `/api/v2/aibridge/usage${queryString({ q, interval: range.interval, group_by: groupBy, groups: 8 })}`,
      ),
    placeholderData: keepPreviousData,
  });
  const timeFilter = { started_after: startedAfter, started_before: startedBefore };

  const chart = useMemo(() => {
    const data = usage.data;
    if (!data) return null;
    const step = data.interval === 'hour' ? hourMs : dayMs;
    const buckets = data.series.buckets.map((bucket) => Date.parse(bucket) / 1000);
    const labels = new Map(data.groups.map((group) => [group.key, group.label]));
    const groups: ChartGroup[] = data.series.groups.map((group, position) => ({
      key: group.key,
      label: group.key === null ? 'Other' : (labels.get(group.key) ?? group.key),
      color: group.key === null ? (palette[8] ?? '#888') : (palette[position % 8] ?? '#888'),
    }));
    const values = data.series.groups.map((group) =>
      buckets.map((_, index) =>
        metrics[metric].read({
          interceptions: group.interceptions[index] ?? 0,
          failed_interceptions: group.failed_interceptions[index] ?? 0,
          input_tokens: group.input_tokens[index] ?? 0,
          output_tokens: group.output_tokens[index] ?? 0,
          cache_read_input_tokens: group.cache_read_input_tokens[index] ?? 0,
          cache_write_input_tokens: group.cache_write_input_tokens[index] ?? 0,
        }),
      ),
    );
    return { buckets, groups, values, step };
  }, [usage.data, metric]);

  const bucketLabel = (seconds: number) =>
    new Intl.DateTimeFormat(
      undefined,
      range.interval === 'hour' ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' },
    ).format(new Date(seconds * 1000));

  const totals = usage.data?.totals;
  const cards = totals
    ? [
        { label: 'Requests', value: formatInteger(totals.interceptions), to: href('/requests', timeFilter) },
        { label: 'Sessions', value: formatInteger(totals.sessions), to: href('/sessions', timeFilter) },
        {
          label: 'Active users',
          value: formatInteger(totals.active_users),
          to: href('/sessions', timeFilter),
        },
        {
          label: 'Input tokens',
          value: formatCompact(totals.input_tokens),
          exact: totals.input_tokens,
          to: href('/requests', timeFilter),
        },
        {
          label: 'Output tokens',
          value: formatCompact(totals.output_tokens),
          exact: totals.output_tokens,
          to: href('/requests', timeFilter),
        },
        {
          label: 'Cache read',
          value: formatCompact(totals.cache_read_input_tokens),
          exact: totals.cache_read_input_tokens,
          to: href('/requests', timeFilter),
        },
        {
          label: 'Cache write',
          value: formatCompact(totals.cache_write_input_tokens),
          exact: totals.cache_write_input_tokens,
          to: href('/requests', timeFilter),
        },
        {
          label: 'Error rate',
          value: formatPercent(totals.error_rate),
          exact: totals.failed_interceptions,
          to: href('/requests', timeFilter),
        },
      ]
    : [];

  return (
    <section aria-labelledby="overview-title">
      <div class="page-head">
        <h1 id="overview-title">Overview</h1>
        <fieldset class="range">
          <legend class="visually-hidden">Time range</legend>
          {presets.map((preset) => (
            <button
              type="button"
              key={preset.key}
              aria-pressed={range.key === preset.key}
              onClick={() =>
                setParams({
                  range: preset.key === '24h' ? undefined : preset.key,
                  from: undefined,
                  to: undefined,
                })
              }
            >
              {preset.label}
            </button>
          ))}
          <button
            type="button"
            aria-pressed={range.key === 'custom'}
            onClick={() =>
              setParams({
                range: 'custom',
                from: new Date(range.from).toISOString(),
                to: new Date(range.to).toISOString(),
              })
            }
          >
            Custom
          </button>
        </fieldset>
      </div>
      {range.key === 'custom' ? (
        <form class="filters" aria-label="Custom time range" onSubmit={(event) => event.preventDefault()}>
          <label>
            <span>From</span>
            <input
              type="datetime-local"
              value={toLocalInput(params.from)}
              onChange={(event) => setParams({ from: fromLocalInput(event.currentTarget.value) })}
            />
          </label>
          <label>
            <span>To</span>
            <input
              type="datetime-local"
              value={toLocalInput(params.to)}
              onChange={(event) => setParams({ to: fromLocalInput(event.currentTarget.value) })}
            />
          </label>
        </form>
      ) : null}
      {usage.isPending ? (
        <Loading label="Loading usage…" />
      ) : usage.isError ? (
        <Failed error={usage.error} retry={() => void usage.refetch()} />
      ) : (
        <>
          <ul class="cards" aria-label="Totals" data-testid="totals">
            {cards.map((card) => (
              <li key={card.label}>
                <Link href={card.to} class="card stat" data-stat={card.label}>
                  <span class="stat-label">{card.label}</span>
                  <span
                    class="stat-value"
                    title={card.exact === undefined ? undefined : formatInteger(card.exact)}
                  >
                    {card.value}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          <div class="card">
            <div class="page-head">
              <h2>
                {metrics[metric].label} per {range.interval}
              </h2>
              <div class="chart-controls">
                <label class="inline">
                  <span>Show</span>
                  <select
                    value={metric}
                    onChange={(event) =>
                      setParams({
                        metric:
                          event.currentTarget.value === 'tokens' ? undefined : event.currentTarget.value,
                      })
                    }
                  >
                    {Object.entries(metrics).map(([key, value]) => (
                      <option key={key} value={key}>
                        {value.label}
                      </option>
                    ))}
                  </select>
                </label>
                <label class="inline">
                  <span>Stacked by</span>
                  <select
                    value={groupBy}
                    onChange={(event) =>
                      setParams({
                        group_by:
                          event.currentTarget.value === 'model' ? undefined : event.currentTarget.value,
                      })
                    }
                  >
                    {groupings.map((grouping) => (
                      <option key={grouping.key} value={grouping.key}>
                        {grouping.label}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
            </div>
            {usage.data.totals.interceptions === 0 || !chart ? (
              <Empty title="No usage in this range.">
                Requests through the bridge show up here within a second.
              </Empty>
            ) : (
              <>
                <StackedChart
                  buckets={chart.buckets}
                  groups={chart.groups}
                  values={chart.values}
                  bucketLabel={bucketLabel}
                  metricLabel={metrics[metric].label}
                  onSelect={(bucket, group) =>
                    navigate(
                      href('/sessions', {
                        started_after: new Date(bucket * 1000).toISOString(),
                        started_before: new Date(bucket * 1000 + chart.step).toISOString(),
                        ...groupFilter(groupBy, group),
                      }),
                    )
                  }
                />
                <details class="chart-table">
                  <summary>Show the chart's data as a table</summary>
                  <div class="table-wrap">
                    <table class="data compact">
                      <thead>
                        <tr>
                          <th scope="col">{range.interval === 'hour' ? 'Hour' : 'Day'}</th>
                          {chart.groups.map((group) => (
                            <th scope="col" class="number" key={group.label}>
                              {group.label}
                            </th>
                          ))}
                        </tr>
                      </thead>
                      <tbody>
                        {chart.buckets.map((bucket, position) =>
                          chart.values.some((row) => (row[position] ?? 0) > 0) ? (
                            <tr key={bucket}>
                              <th scope="row">{bucketLabel(bucket)}</th>
                              {chart.values.map((row, group) => (
                                <td class="number" key={chart.groups[group]?.label}>
                                  {formatInteger(row[position] ?? 0)}
                                </td>
                              ))}
                            </tr>
                          ) : null,
                        )}
                      </tbody>
                    </table>
                  </div>
                </details>
              </>
            )}
          </div>
          <div class="tops">
            <TopList
              title="Top users"
              testId="top-users"
              rows={usage.data.top_users.map((row) => ({
                key: row.user.id,
                label: <UserCell user={row.user} />,
                sums: row,
                to: href('/sessions', { ...timeFilter, initiator: row.user.username }),
              }))}
            />
            <TopList
              title="Top models"
              testId="top-models"
              rows={usage.data.top_models.map((row) => ({
                key: row.model,
                label: row.model,
                sums: row,
                to: href('/sessions', { ...timeFilter, model: row.model }),
              }))}
            />
            <TopList
              title="Top clients"
              testId="top-clients"
              rows={usage.data.top_clients.map((row) => ({
                key: row.client,
                label: row.client,
                sums: row,
                to: href('/sessions', { ...timeFilter, client: row.client }),
              }))}
            />
          </div>
        </>
      )}
    </section>
  );
}
