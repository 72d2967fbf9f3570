/**
 * Counts ended interceptions matching a filter without scanning them: an unbounded count sums the all-time
 * rollup `aibridge_interception_totals`; whole UTC days of a time range come from the per-day rollup
 * `aibridge_interception_counts` (or, when the range covers most days, the total minus the days outside
 * it); only the partial days at the edges of a range are counted from the interceptions' start-time index.
 * The rollups change in the transaction that ends an interception, so they agree with the table.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { interceptionConditions } from './query-interceptions.js';
import { allOf, type RecordFilter, type Visibility, visibilityConditions } from './record-filter.js';
import type { Database } from './schema.js';

const dayMs = 86_400_000;
/** 9999-12-31T00:00:00Z: search times end in year 9999, and so do the rollup's days. */
const lastSupportedDay = Date.UTC(9999, 11, 31);

/** The number of ended interceptions the caller may see that match `filter`, ignoring paging. */
export async function countInterceptions(
  db: Kysely<Database>,
  options: { filter: RecordFilter; visibleTo: Visibility },
): Promise<number> {
  const { filter, visibleTo } = options;
  const split = splitAtDays(filter.startedAfter, filter.startedBefore);
  const parts: RawBuilder<unknown>[] = [];
  if (split.wholeDays) parts.push(await wholeDaysCount(db, { filter, visibleTo, days: split.wholeDays }));
  for (const edge of split.edges) {
    const edgeFilter: RecordFilter = { ...filter };
    delete edgeFilter.startedAfter;
    delete edgeFilter.startedBefore;
    if (edge.from) edgeFilter.startedAfter = edge.from;
    if (edge.to) edgeFilter.startedBefore = edge.to;
    parts.push(
      sql`(SELECT count(*) FROM aibridge_interceptions i WHERE ${allOf(interceptionConditions(edgeFilter, visibleTo))})`,
    );
  }
  if (parts.length === 0) return 0;
  const result = await sql<{ count: number }>`SELECT (${sql.join(parts, sql` + `)})::bigint AS count`.execute(
    db,
  );
  return Number(result.rows[0]?.count ?? 0);
}

/**
 * The count of whole days `days`, as whichever of "the days inside" and "the total minus the days outside"
 * reads fewer rollup rows (judged by the span of days the rollup holds).
 */
async function wholeDaysCount(
  db: Kysely<Database>,
  input: { filter: RecordFilter; visibleTo: Visibility; days: TimeRange },
): Promise<RawBuilder<unknown>> {
  const { filter, visibleTo, days } = input;
  if (!days.from && !days.to) return totalsCount(filter, visibleTo);
  const span = await sql<{ first: string | null; last: string | null }>`
    SELECT min(day) AS first, max(day) AS last FROM aibridge_interception_counts`.execute(db);
  const first = span.rows[0]?.first;
  const last = span.rows[0]?.last;
  if (!first || !last) return sql`0`;
  const firstDay = Date.parse(`${first}T00:00:00Z`);
  const endDay = Date.parse(`${last}T00:00:00Z`) + dayMs;
  const from = Math.max(days.from?.getTime() ?? firstDay, firstDay);
  const to = Math.min(days.to?.getTime() ?? endDay, endDay);
  const inside = Math.max(0, to - from);
  if (inside <= endDay - firstDay - inside) return daysCount(filter, visibleTo, days);
  const outside = [sql`- ${daysCount(filter, visibleTo, { from: undefined, to: new Date(from) })}`];
  if (to < endDay)
    outside.push(sql`- ${daysCount(filter, visibleTo, { from: new Date(to), to: undefined })}`);
  return sql`(${totalsCount(filter, visibleTo)} ${sql.join(outside, sql` `)})`;
}

/** A half-open time range; a missing end is unbounded. */
interface TimeRange {
  from: Date | undefined;
  to: Date | undefined;
}

/**
 * Splits `[after, before)` into whole UTC days (served by the rollup) and at most two partial-day edges
 * (counted from the table). Exported for tests.
 */
export function splitAtDays(
  after: Date | undefined,
  before: Date | undefined,
): { wholeDays: TimeRange | null; edges: TimeRange[] } {
  const firstWhole = after === undefined ? undefined : new Date(Math.ceil(after.getTime() / dayMs) * dayMs);
  const lastWholeEnd =
    before === undefined ? undefined : new Date(Math.floor(before.getTime() / dayMs) * dayMs);
  const noWholeDay =
    (firstWhole && lastWholeEnd && firstWhole.getTime() >= lastWholeEnd.getTime()) ||
    (firstWhole && firstWhole.getTime() > lastSupportedDay);
  if (noWholeDay) {
    // The range lies within one day, straddles a single midnight, or starts on the last supported day.
    return { wholeDays: null, edges: [{ from: after, to: before }] };
  }
  const edges: TimeRange[] = [];
  if (after && firstWhole && after.getTime() < firstWhole.getTime())
    edges.push({ from: after, to: firstWhole });
  if (before && lastWholeEnd && lastWholeEnd.getTime() < before.getTime())
    edges.push({ from: lastWholeEnd, to: before });
  return { wholeDays: { from: firstWhole, to: lastWholeEnd }, edges };
}

function daysCount(filter: RecordFilter, visibleTo: Visibility, days: TimeRange): RawBuilder<unknown> {
  const conditions = dimensionConditions('c', filter, visibleTo);
  if (days.from) conditions.push(sql`c.day >= ${utcDay(days.from)}::date`);
  if (days.to) conditions.push(sql`c.day < ${utcDay(days.to)}::date`);
  return sql`(SELECT coalesce(sum(c.interceptions), 0) FROM aibridge_interception_counts c WHERE ${allOf(conditions)})`;
}

function totalsCount(filter: RecordFilter, visibleTo: Visibility): RawBuilder<unknown> {
  const conditions = dimensionConditions('t', filter, visibleTo);
  return sql`(SELECT coalesce(sum(t.interceptions), 0) FROM aibridge_interception_totals t WHERE ${allOf(conditions)})`;
}

/** Filter conditions on a rollup table alias (the rollups share the interceptions' dimension columns). */
function dimensionConditions(
  alias: string,
  filter: RecordFilter,
  visibleTo: Visibility,
): RawBuilder<unknown>[] {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  const conditions = visibilityConditions(alias, visibleTo);
  if (filter.initiatorId !== undefined)
    conditions.push(sql`${column('initiator_id')} = ${filter.initiatorId}`);
  if (filter.provider !== undefined) conditions.push(sql`${column('provider')} = ${filter.provider}`);
  if (filter.providerName !== undefined)
    conditions.push(sql`${column('provider_name')} = ${filter.providerName}`);
  if (filter.model !== undefined) conditions.push(sql`${column('model')} = ${filter.model}`);
  if (filter.client !== undefined) conditions.push(sql`${column('client')} = ${filter.client}`);
  return conditions;
}

function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}
