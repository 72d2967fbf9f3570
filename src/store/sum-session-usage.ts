/**
 * The token usage of a whole session with its metadata summed, aggregated inside the database: a session
 * can hold thousands of interceptions, and shipping every usage row to the server to add them up costs
 * more than the page the client asked for. The flattening matches `sum-token-usages.ts`: numeric leaves,
 * nested keys joined by dots, other values left out.
 */
import { type Kysely, sql } from 'kysely';
import type { SessionKey } from './query-sessions.js';
import type { Database } from './schema.js';
import type { TokenUsageSum } from './sum-token-usages.js';

interface Row {
  sums: {
    inputTokens: number;
    outputTokens: number;
    cacheReadInputTokens: number;
    cacheWriteInputTokens: number;
  };
  metadata: Record<string, number>;
}

/** Sums every token usage of the session's ended interceptions. */
export async function sumSessionUsage(db: Kysely<Database>, session: SessionKey): Promise<TokenUsageSum> {
  // jsonb_each is only ever given objects (the CASE), so a scalar leaf never raises an error.
  const result = await sql<Row>`
    WITH RECURSIVE usages AS (
      SELECT t.input_tokens, t.output_tokens, t.cache_read_input_tokens, t.cache_write_input_tokens, t.metadata
      FROM aibridge_interceptions i JOIN aibridge_token_usages t ON t.interception_id = i.id
      WHERE i.session_key = ${session.sessionKey} AND i.initiator_id = ${session.initiatorId}
        AND i.ended_at IS NOT NULL
    ), leaves(key, value) AS (
      SELECT e.key, e.value
      FROM usages u, jsonb_each(CASE WHEN jsonb_typeof(u.metadata) = 'object' THEN u.metadata ELSE '{}' END) e
      UNION ALL
      SELECT l.key || '.' || e.key, e.value
      FROM leaves l, jsonb_each(CASE WHEN jsonb_typeof(l.value) = 'object' THEN l.value ELSE '{}' END) e
      WHERE jsonb_typeof(l.value) = 'object'
    )
    SELECT
      (SELECT json_build_object('inputTokens', coalesce(sum(input_tokens), 0),
        'outputTokens', coalesce(sum(output_tokens), 0),
        'cacheReadInputTokens', coalesce(sum(cache_read_input_tokens), 0),
        'cacheWriteInputTokens', coalesce(sum(cache_write_input_tokens), 0)) FROM usages) AS sums,
      (SELECT coalesce(json_object_agg(key, total), '{}') FROM (
        SELECT key, sum((value)::numeric) AS total FROM leaves WHERE jsonb_typeof(value) = 'number' GROUP BY key
      ) summed) AS metadata`.execute(db);
  const row = result.rows[0];
  return {
    inputTokens: Number(row?.sums.inputTokens ?? 0),
    outputTokens: Number(row?.sums.outputTokens ?? 0),
    cacheReadInputTokens: Number(row?.sums.cacheReadInputTokens ?? 0),
    cacheWriteInputTokens: Number(row?.sums.cacheWriteInputTokens ?? 0),
    metadata: new Map(Object.entries(row?.metadata ?? {}).map(([key, value]) => [key, Number(value)])),
  };
}
