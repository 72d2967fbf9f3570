/**
 * The models and clients lists: distinct values of ended interceptions the caller may see, sorted
 * bytewise, prefix-filtered. Read from the per-day rollup by a skip scan (a recursive CTE that jumps from
 * one value to the next through an index), so the cost grows with the number of distinct values returned,
 * not with the rows behind them.
 */
import { type Kysely, sql } from 'kysely';
import type { Visibility } from './record-filter.js';
import type { Database } from './schema.js';

export interface DistinctValuesQuery {
  column: 'model' | 'client';
  visibleTo: Visibility;
  /** Case-sensitive prefix; '' matches everything. */
  prefix: string;
  limit: number;
  offset: number;
}

/**
 * Distinct values of `column`. Comparisons use the "C" collation so that every value with a given prefix
 * sorts at or after the prefix and contiguously, which is what lets the scan start at the prefix and stop
 * at the first value without it (migration 0002 indexes the columns under that collation).
 */
export async function listDistinctValues(
  db: Kysely<Database>,
  query: DistinctValuesQuery,
): Promise<string[]> {
  const column = sql.ref(`c.${query.column}`);
  const visible = query.visibleTo === null ? sql`` : sql`AND c.initiator_id = ${query.visibleTo}`;
  const result = await sql<{ value: string }>`
    WITH RECURSIVE found(value) AS (
      (SELECT ${column} COLLATE "C" FROM aibridge_interception_counts c
        WHERE ${column} COLLATE "C" >= ${query.prefix} ${visible} ORDER BY 1 LIMIT 1)
      UNION ALL
      SELECT (SELECT ${column} COLLATE "C" FROM aibridge_interception_counts c
        WHERE ${column} COLLATE "C" > found.value ${visible} ORDER BY 1 LIMIT 1)
      FROM found WHERE found.value IS NOT NULL AND starts_with(found.value, ${query.prefix})
    )
    SELECT value FROM found WHERE value IS NOT NULL AND starts_with(value, ${query.prefix})
    LIMIT ${query.limit} OFFSET ${query.offset}`.execute(db);
  return result.rows.map((row) => row.value);
}

/** Whether any ended interception was recorded under this provider instance name. */
export async function providerNameIsRecorded(db: Kysely<Database>, name: string): Promise<boolean> {
  const result =
    await sql`SELECT 1 FROM aibridge_interception_counts c WHERE c.provider_name = ${name} LIMIT 1`.execute(
      db,
    );
  return result.rows.length > 0;
}
