/**
 * Which interceptions start a thread: those that continue none, except warm-ups. A warm-up (recorded with
 * `metadata.warmup: true`, e.g. Codex's `generate: false` request when it opens a WebSocket) generates
 * nothing, so thread counts and timelines show only the user's turns. Both rules below say the same.
 */
import { type RawBuilder, sql } from 'kysely';
import type { JsonObject } from '../core/records.js';

/** Whether an interception with this parent and metadata is a thread root. */
export function startsThread(threadParentId: string | null, metadata: JsonObject): boolean {
  return threadParentId === null && metadata.warmup !== true;
}

/** The same rule in SQL, for the interceptions aliased `alias`. */
export function startsThreadSql(alias: string): RawBuilder<unknown> {
  const table = sql.table(alias);
  return sql`${table}.thread_parent_id IS NULL AND ${table}.metadata->'warmup' IS DISTINCT FROM 'true'::jsonb`;
}
