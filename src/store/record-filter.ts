/**
 * What the query modules share: a search already resolved against the database, the caller's visibility,
 * and SQL fragments for both. Visibility is a condition inside every query, never a filter applied to
 * results afterwards, so counts and pages stay right for members.
 */
import { type RawBuilder, sql } from 'kysely';
import type { RecordFilter } from '../search/search-keys.js';

/**
 * A search with its initiator resolved to a user id. Derived from the search key table, which is the one
 * place a key is declared; the store only reads the type (no code of the search layer runs here).
 */
export type { RecordFilter } from '../search/search-keys.js';

/**
 * How one query turns each filter field into a condition. Every field must be named, so a key added to the
 * search table fails to compile until each query says how it filters by it.
 */
export type FilterConditions = {
  [Field in keyof RecordFilter]-?: (value: NonNullable<RecordFilter[Field]>) => RawBuilder<unknown>;
};

/**
 * Like `FilterConditions`, for a query that serves only some fields (a rollup): `null` marks a field it
 * cannot filter by, so the caller must answer such a filter another way.
 */
export type PartialFilterConditions = {
  [Field in keyof RecordFilter]-?: ((value: NonNullable<RecordFilter[Field]>) => RawBuilder<unknown>) | null;
};

/**
 * The conditions of the fields `filter` sets, built by `builders` (a `FilterConditions`, or the served part
 * of a `PartialFilterConditions`: fields it marks `null` or leaves out are skipped, see `unservedFields`).
 */
export function filterConditions(
  filter: RecordFilter,
  builders: Partial<PartialFilterConditions>,
): RawBuilder<unknown>[] {
  const conditions: RawBuilder<unknown>[] = [];
  for (const field of Object.keys(builders) as (keyof RecordFilter)[]) {
    const value = filter[field];
    // Each builder takes its own field's value; the loop cannot express that correlation to the compiler.
    const build = builders[field] as ((value: unknown) => RawBuilder<unknown>) | null | undefined;
    if (value !== undefined && build) conditions.push(build(value));
  }
  return conditions;
}

/** The fields `filter` sets that `builders` marks as not served. */
export function unservedFields(
  filter: RecordFilter,
  builders: Partial<PartialFilterConditions>,
): (keyof RecordFilter)[] {
  return (Object.keys(builders) as (keyof RecordFilter)[]).filter(
    (field) => filter[field] !== undefined && builders[field] === null,
  );
}

/** Whose records a caller may read: `null` means everyone's (owners, auditors), else one user's id. */
export type Visibility = string | null;

/** A timestamptz column as RFC 3339 UTC text with milliseconds, independent of the session time zone. */
export function utcText(column: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * A time parameter as ISO text cast in SQL: node-postgres would format a Date in the process's local time
 * zone, and the instant must not depend on it.
 */
export function timestamp(time: Date): RawBuilder<Date> {
  return sql<Date>`${time.toISOString()}::timestamptz`;
}

/** Joins conditions with AND; an empty list is TRUE. */
export function allOf(conditions: readonly RawBuilder<unknown>[]): RawBuilder<unknown> {
  return conditions.length === 0 ? sql`TRUE` : sql.join(conditions, sql` AND `);
}

/** The visibility condition on a table alias's `initiator_id`. */
export function visibilityConditions(alias: string, visibleTo: Visibility): RawBuilder<unknown>[] {
  return visibleTo === null ? [] : [sql`${sql.ref(`${alias}.initiator_id`)} = ${visibleTo}`];
}
