/**
 * The interceptions list with its count, read in one statement: both see the same snapshot of the
 * database, so rows the recorder commits meanwhile are in neither or in both (two statements, even in
 * parallel, let a page miss rows its count included).
 */
import { type Kysely, sql } from 'kysely';
import { countInterceptionsQuery } from './count-interceptions.js';
import { type InterceptionsPageQuery, interceptionsPageJson } from './query-interceptions.js';
import type { Database } from './schema.js';

/** A page as the JSON text of the API's `results` array, and the number of matches ignoring paging. */
export async function readInterceptionsPage(
  db: Kysely<Database>,
  query: InterceptionsPageQuery,
): Promise<{ count: number; resultsJson: string }> {
  const count = await countInterceptionsQuery(db, { filter: query.filter, visibleTo: query.visibleTo });
  const result = await sql<{ count: string | number; results: string | null }>`
    SELECT ${count} AS count, ${interceptionsPageJson(query)} AS results`.execute(db);
  const row = result.rows[0];
  return { count: Number(row?.count ?? 0), resultsJson: row?.results ?? '[]' };
}
