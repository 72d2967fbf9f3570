/**
 * What the query modules share: a search already resolved against the database, the caller's visibility,
 * and SQL fragments for both. Visibility is a condition inside every query, never a filter applied to
 * results afterwards, so counts and pages stay right for members.
 */
import { type RawBuilder, sql } from 'kysely';

/** A search with its initiator resolved to a user id. Absent fields do not filter. */
export interface RecordFilter {
  initiatorId?: string;
  provider?: string;
  providerName?: string;
  model?: string;
  client?: string;
  sessionId?: string;
  /** Inclusive lower bound on the start time. */
  startedAfter?: Date;
  /** Exclusive upper bound on the start time. */
  startedBefore?: Date;
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
