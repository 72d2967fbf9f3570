/**
 * Usage over time for the dashboard's overview, read only from the usage rollups (migration 0008).
 * Everyone's usage without a filter — the overview's own question — comes from
 * `aibridge_usage_by_dimension` (narrow rows per period and value of one dimension) and
 * `aibridge_session_starts`. Filtered or per-member usage comes from the rollups that keep every dimension
 * (per UTC hour `aibridge_usage_hourly`, per UTC day `aibridge_interception_counts`), read once and grouped
 * every way at once (grouping sets), with a user's sessions from `aibridge_user_session_starts`. Either way
 * the answer holds the series per bucket and group, each group's total, the totals per user, model and
 * client, and the grand total. The series keeps the `groups` largest groups and folds the rest into one
 * `null` group, so a chart of 200 users over 90 days stays a few hundred points.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import {
  allOf,
  type RecordFilter,
  timestamp,
  utcText,
  type Visibility,
  visibilityConditions,
} from './record-filter.js';
import type { Database } from './schema.js';
import { periodSpans } from './usage-periods.js';

/** A user as the usage figures name them. */
export interface MinimalUser {
  id: string;
  username: string;
  name: string;
  avatarUrl: string;
}

export type UsageInterval = 'hour' | 'day';
export const usageIntervals: readonly UsageInterval[] = ['hour', 'day'];

export type UsageGroupBy = 'model' | 'user' | 'client' | 'provider' | 'provider_name';
export const usageGroupBys: readonly UsageGroupBy[] = [
  'model',
  'user',
  'client',
  'provider',
  'provider_name',
];

/** The rollup column (as text) each grouping reads. */
const groupColumns: Record<UsageGroupBy, string> = {
  model: 'model',
  user: 'initiator_id::text',
  client: 'client',
  provider: 'provider',
  provider_name: 'provider_name',
};

/** Interceptions, failures and token sums of some rollup rows. */
export interface UsageSums {
  interceptions: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

/** One point of the series: a bucket's start (RFC 3339 UTC) and a group (`null`: all other groups). */
export interface UsagePoint extends UsageSums {
  bucket: string;
  key: string | null;
}

/** A group or top list entry: its key, its sums and, for a user (keyed by id), the user when it exists. */
export type UsageEntry = UsageSums & { key: string; user?: MinimalUser };

/** How many of the users, models and clients a result lists (largest first). */
export const topListLength = 10;

export interface UsageResult {
  total: UsageSums;
  /** Sessions started in the range, when the rollups read count them (see `countsSessions`). */
  sessions?: number;
  /** Users with usage in the range. */
  activeUsers: number;
  series: UsagePoint[];
  /** Every group's total, largest first (by interceptions, then key). */
  groups: UsageEntry[];
  /** The `topListLength` largest users (by id), models and clients, largest first. */
  users: UsageEntry[];
  models: UsageEntry[];
  clients: UsageEntry[];
}

export interface UsageQuery {
  visibleTo: Visibility;
  /** Dimension filters; its time bounds are ignored (see `from`, `to`). */
  filter: RecordFilter;
  interval: UsageInterval;
  groupBy: UsageGroupBy;
  /** Bucket-aligned half-open range. */
  from: Date;
  to: Date;
  /** How many groups the series keeps apart. */
  groups: number;
  /**
   * Which rollups to read: `auto` (default) picks the narrowest that can answer; `wide` forces the rollups
   * with every dimension (tests compare the two).
   */
  rollup?: 'auto' | 'wide';
}

/**
 * One row of a usage statement: `s` a point of the series, `g` a group's total, `u`/`m`/`c` one of the top
 * users, models or clients, `t` the grand total, `n` the sessions started and `a` the active users (both
 * counts in `interceptions`). User rows (`u`, and `g` by user) carry the user's names, read in the same
 * statement.
 */
type Row = {
  kind: 's' | 'g' | 'u' | 'm' | 'c' | 't' | 'n' | 'a';
  bucket: string | null;
  key: string | null;
  interceptions: number;
  failed: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
  username: string | null;
  name: string | null;
  avatar_url: string | null;
};

const zeroSums: UsageSums = {
  interceptions: 0,
  failed: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadInputTokens: 0,
  cacheWriteInputTokens: 0,
};

const sums = (row: Row): UsageSums => ({
  interceptions: Number(row.interceptions),
  failed: Number(row.failed),
  inputTokens: Number(row.input_tokens),
  outputTokens: Number(row.output_tokens),
  cacheReadInputTokens: Number(row.cache_read_input_tokens),
  cacheWriteInputTokens: Number(row.cache_write_input_tokens),
});

/** The rollup rows of a range, as `bucket` plus the shared dimension and sum columns. */
function rangeRows(query: UsageQuery): RawBuilder<unknown> {
  const alias = 'r';
  const conditions = visibilityConditions(alias, query.visibleTo);
  const { filter } = query;
  if (filter.initiatorId !== undefined) conditions.push(sql`r.initiator_id = ${filter.initiatorId}`);
  if (filter.provider !== undefined) conditions.push(sql`r.provider = ${filter.provider}`);
  if (filter.providerName !== undefined) conditions.push(sql`r.provider_name = ${filter.providerName}`);
  if (filter.model !== undefined) conditions.push(sql`r.model = ${filter.model}`);
  if (filter.client !== undefined) conditions.push(sql`r.client = ${filter.client}`);
  const group = sql.raw(`r.${groupColumns[query.groupBy]}`);
  const columns = sql`r.initiator_id, r.model, r.client, ${group} AS g, r.interceptions, r.failed, r.input_tokens,
    r.output_tokens, r.cache_read_input_tokens, r.cache_write_input_tokens`;
  if (query.interval === 'hour') {
    conditions.push(sql`r.hour >= ${timestamp(query.from)} AND r.hour < ${timestamp(query.to)}`);
    return sql`SELECT r.hour AS bucket, ${columns} FROM aibridge_usage_hourly r WHERE ${allOf(conditions)}`;
  }
  const day = (time: Date) => time.toISOString().slice(0, 10);
  conditions.push(sql`r.day >= ${day(query.from)}::date AND r.day < ${day(query.to)}::date`);
  return sql`SELECT (r.day::timestamp AT TIME ZONE 'UTC') AS bucket, ${columns}
    FROM aibridge_interception_counts r WHERE ${allOf(conditions)}`;
}

const summed = sql.raw(`sum(interceptions) AS interceptions, sum(failed) AS failed,
  sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  sum(cache_read_input_tokens) AS cache_read_input_tokens, sum(cache_write_input_tokens) AS cache_write_input_tokens`);

/**
 * Whether a query is answered from `aibridge_usage_by_dimension` (everyone's usage, no filter), which
 * also counts the sessions started in the range.
 */
function servedByDimension(query: UsageQuery): boolean {
  const { filter } = query;
  return (
    query.visibleTo === null &&
    filter.initiatorId === undefined &&
    filter.provider === undefined &&
    filter.providerName === undefined &&
    filter.model === undefined &&
    filter.client === undefined
  );
}

/**
 * The conditions on `d.initiator_id` of a query whose only dimension filter is the user (a member's own
 * usage, an owner's filtered by user): it counts its sessions from `aibridge_user_session_starts`
 * (migration 0013). `null` for any other query: everyone's usage counts them from
 * `aibridge_session_starts`, and a filter on another dimension leaves them to `countSessions`.
 */
function userSessionConditions(query: UsageQuery): RawBuilder<unknown>[] | null {
  const { filter } = query;
  const others = [filter.provider, filter.providerName, filter.model, filter.client];
  if (others.some((value) => value !== undefined)) return null;
  const conditions = visibilityConditions('d', query.visibleTo);
  if (filter.initiatorId !== undefined) conditions.push(sql`d.initiator_id = ${filter.initiatorId}`);
  return conditions.length === 0 ? null : conditions;
}

/** Whether `queryUsage` answers a query's `sessions` (else the caller counts them with `countSessions`). */
export function countsSessions(query: UsageQuery): boolean {
  return (query.rollup !== 'wide' && servedByDimension(query)) || userSessionConditions(query) !== null;
}

/**
 * The rows of the periods that make up a range (`usage-periods.ts`), from a rollup with `granularity`: one
 * index range per period, joined laterally to a list of the periods (`OFFSET 0` keeps the planner from
 * flattening it into a hash join over the whole table). One scan rather than a union of scans, so the
 * planner has no Parallel Append to choose (it did, with workers that cost more than the statement; the
 * tables' `parallel_workers = 0` of migration 0012 keeps their own scans serial).
 */
function periodRows(input: {
  table: 'aibridge_usage_by_dimension' | 'aibridge_session_starts' | 'aibridge_user_session_starts';
  columns: RawBuilder<unknown>;
  condition: RawBuilder<unknown>;
  from: Date;
  to: Date;
}): RawBuilder<unknown> {
  const spans = periodSpans(input.from, input.to);
  if (spans.length === 0) return sql`SELECT ${input.columns} FROM ${sql.table(input.table)} d WHERE FALSE`;
  const list = sql.join(
    spans.map((span) => sql`(${span.granularity}::text, ${timestamp(span.from)}, ${timestamp(span.to)})`),
  );
  return sql`SELECT ${input.columns} FROM (VALUES ${list}) AS span (granularity, start, stop)
    CROSS JOIN LATERAL (SELECT * FROM ${sql.table(input.table)} d
      WHERE d.granularity = span.granularity AND ${input.condition}
        AND d.bucket >= span.start AND d.bucket < span.stop OFFSET 0) d`;
}

const sumColumns =
  sql.raw(`d.interceptions, d.failed, d.input_tokens, d.output_tokens, d.cache_read_input_tokens,
  d.cache_write_input_tokens`);

const userColumns = sql.raw('NULL::text AS username, NULL::text AS name, NULL::text AS avatar_url');
const listColumns = sql.raw(`l.kind, NULL::text AS bucket, l.key, l.interceptions, l.failed, l.input_tokens,
  l.output_tokens, l.cache_read_input_tokens, l.cache_write_input_tokens`);

/**
 * The rows of every kind but the series and the sessions, from a CTE `lists` of (kind, key, sums) rows of
 * kinds `g`, `u`, `m`, `c` and `t`: the groups and the total as they are, the top users, models and clients
 * only, the count of active users, and the names of the users listed, all in the statement that sums them
 * (one round trip).
 */
function listRows(groupBy: UsageGroupBy): RawBuilder<unknown> {
  const named = sql`${listColumns}, usr.username, usr.name, usr.avatar_url`;
  const groups =
    groupBy === 'user'
      ? sql`SELECT ${named} FROM lists l LEFT JOIN users usr ON usr.id::text = l.key WHERE l.kind = 'g'`
      : sql`SELECT ${listColumns}, ${userColumns} FROM lists l WHERE l.kind = 'g'`;
  return sql`
    ${groups}
    UNION ALL
    SELECT ${listColumns}, ${userColumns} FROM lists l WHERE l.kind = 't'
    UNION ALL
    SELECT ${named} FROM (
      SELECT *, row_number() OVER (PARTITION BY kind ORDER BY interceptions DESC, key COLLATE "C") AS rank
      FROM lists WHERE kind IN ('u', 'm', 'c')
    ) l LEFT JOIN users usr ON l.kind = 'u' AND usr.id::text = l.key
    WHERE l.rank <= ${topListLength}
    UNION ALL
    SELECT 'a', NULL, NULL, count(*), 0, 0, 0, 0, 0, ${userColumns} FROM lists WHERE kind = 'u'`;
}

/**
 * The same rows as `fromWideRollup`, from the one-dimension rollup, plus the sessions started (kind `n`).
 * Totals per key read the range as whole months, weeks, days and hours (a few rows per key); the series
 * reads the buckets of the largest groups only, one index range per group (a lateral join, so that the plan
 * does not depend on statistics: planned blind, `key IN (…)` read every group's rows of the range and
 * filtered them, 17,785 rows for 90 days by user), and finds the folded rest as
 * each bucket's total (dimension `all`) less those groups, so it never reads one row per user per bucket.
 */
function fromDimensionRollup(query: UsageQuery): RawBuilder<Row> {
  const { from, to, groupBy, interval } = query;
  const range = sql`d.bucket >= ${timestamp(from)} AND d.bucket < ${timestamp(to)}`;
  const totals = periodRows({
    table: 'aibridge_usage_by_dimension',
    columns: sql`d.dimension, d.key, ${sumColumns}`,
    condition: sql`d.dimension IN ('all', 'user', 'model', 'client', ${groupBy})`,
    from,
    to,
  });
  const sessions = periodRows({
    table: 'aibridge_session_starts',
    columns: sql`d.sessions`,
    condition: sql`TRUE`,
    from,
    to,
  });
  const less = (column: string) => sql.raw(`a.${column} - coalesce(t.${column}, 0)`);
  return sql<Row>`
    WITH p AS (${totals}),
    tot AS (SELECT dimension, key, ${summed} FROM p GROUP BY dimension, key),
    top AS (SELECT key FROM tot WHERE dimension = ${groupBy}
      ORDER BY interceptions DESC, key COLLATE "C" LIMIT ${query.groups}),
    tops AS MATERIALIZED (
      SELECT d.bucket, d.key, ${sumColumns} FROM top
      CROSS JOIN LATERAL (SELECT * FROM aibridge_usage_by_dimension d
        WHERE d.granularity = ${interval} AND d.dimension = ${groupBy} AND d.key = top.key AND ${range} OFFSET 0) d
    ),
    topsum AS (SELECT bucket, ${summed} FROM tops GROUP BY bucket),
    lists AS (
      SELECT 'g' AS kind, key, interceptions, failed, input_tokens, output_tokens, cache_read_input_tokens,
        cache_write_input_tokens FROM tot WHERE dimension = ${groupBy}
      UNION ALL
      SELECT CASE dimension WHEN 'user' THEN 'u' WHEN 'model' THEN 'm' WHEN 'client' THEN 'c' ELSE 't' END,
        key, interceptions, failed, input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens
      FROM tot WHERE dimension IN ('all', 'user', 'model', 'client')
    )
    SELECT 's' AS kind, ${utcText(sql`bucket`)} AS bucket, key, interceptions, failed, input_tokens, output_tokens,
      cache_read_input_tokens, cache_write_input_tokens, ${userColumns} FROM tops
    UNION ALL
    SELECT 's', ${utcText(sql`a.bucket`)}, NULL, ${less('interceptions')}, ${less('failed')},
      ${less('input_tokens')}, ${less('output_tokens')}, ${less('cache_read_input_tokens')},
      ${less('cache_write_input_tokens')}, ${userColumns}
    FROM (SELECT d.bucket, ${sumColumns} FROM aibridge_usage_by_dimension d
      WHERE d.granularity = ${interval} AND d.dimension = 'all' AND d.key = '' AND ${range}) a
    LEFT JOIN topsum t ON t.bucket = a.bucket
    WHERE a.interceptions > coalesce(t.interceptions, 0)
    UNION ALL
    ${listRows(groupBy)}
    UNION ALL
    SELECT 'n', NULL, NULL, coalesce(sum(sessions), 0), 0, 0, 0, 0, 0, ${userColumns} FROM (${sessions}) n`;
}

/**
 * The rows of a range from the rollups with every dimension: read once, grouped every way at once
 * (grouping sets). Serves filtered and per-member usage, with the sessions started when the user is the
 * only filter (`userSessionConditions`).
 */
function fromWideRollup(query: UsageQuery): RawBuilder<Row> {
  const users = userSessionConditions(query);
  const sessions =
    users === null
      ? sql.raw('')
      : sql`UNION ALL
    SELECT 'n', NULL, NULL, coalesce(sum(sessions), 0), 0, 0, 0, 0, 0, ${userColumns} FROM (${periodRows({
      table: 'aibridge_user_session_starts',
      columns: sql`d.sessions`,
      condition: allOf(users),
      from: query.from,
      to: query.to,
    })}) n`;
  return sql<Row>`
    WITH r AS MATERIALIZED (${rangeRows(query)}),
    a AS (
      SELECT CASE WHEN GROUPING(bucket, g) = 0 THEN 's' WHEN GROUPING(g) = 0 THEN 'g'
        WHEN GROUPING(initiator_id) = 0 THEN 'u' WHEN GROUPING(model) = 0 THEN 'm'
        WHEN GROUPING(client) = 0 THEN 'c' ELSE 't' END AS kind,
        bucket, coalesce(g, initiator_id::text, model, client) AS key, ${summed}
      FROM r GROUP BY GROUPING SETS ((bucket, g), (g), (initiator_id), (model), (client), ())
    ),
    top AS (SELECT key FROM a WHERE kind = 'g' ORDER BY interceptions DESC, key COLLATE "C" LIMIT ${query.groups}),
    lists AS (SELECT kind, key, interceptions, failed, input_tokens, output_tokens, cache_read_input_tokens,
      cache_write_input_tokens FROM a WHERE kind <> 's')
    SELECT 's' AS kind, ${utcText(sql`s.bucket`)} AS bucket, s.key, s.interceptions, s.failed, s.input_tokens,
      s.output_tokens, s.cache_read_input_tokens, s.cache_write_input_tokens, ${userColumns}
    FROM (
      SELECT bucket, CASE WHEN key IN (SELECT key FROM top) THEN key END AS key, ${summed}
      FROM a WHERE kind = 's' GROUP BY 1, 2
    ) s
    UNION ALL
    ${listRows(query.groupBy)}
    ${sessions}`;
}

/** Reads the usage of a range (see the module's description). */
export async function queryUsage(db: Kysely<Database>, query: UsageQuery): Promise<UsageResult> {
  const narrow = query.rollup !== 'wide' && servedByDimension(query);
  // One statement, one round trip: the one-dimension rollups are never scanned in parallel (migration 0012).
  const result = await (narrow ? fromDimensionRollup(query) : fromWideRollup(query)).execute(db);
  const usage: UsageResult = {
    total: { ...zeroSums },
    activeUsers: 0,
    series: [],
    groups: [],
    users: [],
    models: [],
    clients: [],
  };
  const lists = { g: usage.groups, u: usage.users, m: usage.models, c: usage.clients } as const;
  for (const row of result.rows) {
    if (row.kind === 't') usage.total = sums(row);
    else if (row.kind === 'n') usage.sessions = Number(row.interceptions);
    else if (row.kind === 'a') usage.activeUsers = Number(row.interceptions);
    else if (row.kind === 's') usage.series.push({ bucket: row.bucket ?? '', key: row.key, ...sums(row) });
    else if (row.key !== null) {
      const entry: UsageEntry = { key: row.key, ...sums(row) };
      if (row.username !== null) {
        entry.user = {
          id: row.key,
          username: row.username,
          name: row.name ?? '',
          avatarUrl: row.avatar_url ?? '',
        };
      }
      lists[row.kind].push(entry);
    }
  }
  const largestFirst = (a: UsageEntry, b: UsageEntry) =>
    b.interceptions - a.interceptions || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  for (const list of Object.values(lists)) list.sort(largestFirst);
  usage.series.sort((a, b) =>
    a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : (a.key ?? '\uffff') < (b.key ?? '\uffff') ? -1 : 1,
  );
  return usage;
}
