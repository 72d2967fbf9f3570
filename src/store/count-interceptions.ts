/**
 * Counts ended interceptions matching a filter without scanning them: an unbounded count sums the all-time
 * rollup `aibridge_interception_totals`; whole UTC days of a time range come from the per-day rollup
 * `aibridge_interception_counts` (or, when the range covers most days, the total minus the days outside
 * it); only the partial days at the edges of a range are counted from the interceptions' start-time index.
 * The rollups change in the transaction that ends an interception, so they agree with the table. The rollups
 * hold some dimensions only (`rollupFilters` says which): a filter on any other field is counted from the
 * interceptions' indexes instead, so a count never ignores a filter the list applies.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { interceptionConditions } from './query-interceptions.js';
import {
  allOf,
  filterConditions,
  type PartialFilterConditions,
  type RecordFilter,
  unservedFields,
  type Visibility,
  visibilityConditions,
} from './record-filter.js';
import type { Database } from './schema.js';

const dayMs = 86_400_000;
/** 9999-12-31T00:00:00Z: search times end in year 9999, and so do the rollup's days. */
const lastSupportedDay = Date.UTC(9999, 11, 31);

/** The number of ended interceptions the caller may see that match `filter`, ignoring paging. */
export async function countInterceptions(
  db: Kysely<Database>,
  options: { filter: RecordFilter; visibleTo: Visibility },
): Promise<number> {
  const count = await countInterceptionsQuery(db, options);
  const result = await sql<{ count: number }>`SELECT ${count} AS count`.execute(db);
  return Number(result.rows[0]?.count ?? 0);
}

/**
 * The count as one SQL expression, so that a caller can read it in the same statement (and snapshot) as a
 * page. Reading the rollup's span of days first only chooses the cheaper plan: the expression is exact
 * whatever the rollups hold when it runs.
 */
export async function countInterceptionsQuery(
  db: Kysely<Database>,
  options: { filter: RecordFilter; visibleTo: Visibility },
): Promise<RawBuilder<number>> {
  const { filter, visibleTo } = options;
  const unserved = unservedFields(filter, rollupFilters('t'));
  if (unserved.length === 1 && filter.hasError === false) {
    // Failures are few and have their own partial index: the successes are all matches minus the failures,
    // rather than a count of nearly every row.
    const { hasError: _, ...all } = filter;
    const total = await countInterceptionsQuery(db, { filter: all, visibleTo });
    return sql<number>`(${total} - ${indexCount({ ...all, hasError: true }, visibleTo)})`;
  }
  if (unserved.length > 0) return sql<number>`${indexCount(filter, visibleTo)}::bigint`;
  const split = splitAtDays(filter.startedAfter, filter.startedBefore);
  const parts: RawBuilder<unknown>[] = [];
  if (split.wholeDays) parts.push(await wholeDaysCount(db, { filter, visibleTo, days: split.wholeDays }));
  for (const edge of split.edges) {
    const edgeFilter: RecordFilter = { ...filter };
    delete edgeFilter.startedAfter;
    delete edgeFilter.startedBefore;
    if (edge.from) edgeFilter.startedAfter = edge.from;
    if (edge.to) edgeFilter.startedBefore = edge.to;
    parts.push(indexCount(edgeFilter, visibleTo));
  }
  if (parts.length === 0) return sql<number>`0::bigint`;
  return sql<number>`(${sql.join(parts, sql` + `)})::bigint`;
}

/** A count from the interceptions table through its indexes, as a scalar subquery. */
function indexCount(filter: RecordFilter, visibleTo: Visibility): RawBuilder<unknown> {
  return sql`(SELECT count(*) FROM aibridge_interceptions i WHERE ${allOf(interceptionConditions(filter, visibleTo))})`;
}

/**
 * The count of whole days `days`, as whichever of "the days inside" and "the total minus the days outside"
 * reads fewer rollup rows (judged by the span of days the rollup holds when the plan is chosen; both are
 * exact, so a day written meanwhile cannot make the count wrong).
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
  if (!first || !last) return daysCount(filter, visibleTo, days);
  const firstDay = Date.parse(`${first}T00:00:00Z`);
  const endDay = Date.parse(`${last}T00:00:00Z`) + dayMs;
  const from = Math.max(days.from?.getTime() ?? firstDay, firstDay);
  const to = Math.min(days.to?.getTime() ?? endDay, endDay);
  const inside = Math.max(0, to - from);
  if (inside <= endDay - firstDay - inside) return daysCount(filter, visibleTo, days);
  // The days outside are bounded by the range itself, not by the span read above.
  const outside: RawBuilder<unknown>[] = [];
  if (days.from) outside.push(sql`- ${daysCount(filter, visibleTo, { from: undefined, to: days.from })}`);
  if (days.to) outside.push(sql`- ${daysCount(filter, visibleTo, { from: days.to, to: undefined })}`);
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

/**
 * The filter fields the rollups serve, as conditions on a rollup table alias (both rollups share the
 * interceptions' dimension columns); `null` marks a field they do not hold. The time range is served by
 * choosing rollup days (see `splitAtDays`), so it is not a condition here.
 */
function rollupFilters(alias: string): Omit<PartialFilterConditions, 'startedAfter' | 'startedBefore'> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return {
    initiatorId: (id) => sql`${column('initiator_id')} = ${id}`,
    provider: (provider) => sql`${column('provider')} = ${provider}`,
    providerName: (name) => sql`${column('provider_name')} = ${name}`,
    model: (model) => sql`${column('model')} = ${model}`,
    client: (client) => sql`${column('client')} = ${client}`,
    credentialKind: null,
    sessionId: null,
    errorType: null,
    hasError: null,
  };
}

/** Filter conditions on a rollup table alias. */
function dimensionConditions(
  alias: string,
  filter: RecordFilter,
  visibleTo: Visibility,
): RawBuilder<unknown>[] {
  return [...visibilityConditions(alias, visibleTo), ...filterConditions(filter, rollupFilters(alias))];
}

function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}
