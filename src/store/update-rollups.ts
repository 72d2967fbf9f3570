import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Adds interceptions that just ended to the rollups the query API reads (`aibridge_sessions` with its
 * summed usage metadata, `aibridge_interception_counts`, `aibridge_interception_totals`). Runs in the writer's transaction, after the interceptions' children were
 * inserted, so their token usages and prompts are visible. Each id must be passed exactly once in its
 * life: the writer passes only rows it just ended.
 */
export async function updateRollups(
  transaction: Transaction<Database>,
  endedIds: readonly string[],
): Promise<void> {
  if (endedIds.length === 0) return;
  const ids = sql`${`{${endedIds.join(',')}}`}::uuid[]`;
  // Rows are upserted in key order so that two writers ending interceptions of the same sessions take
  // row locks in the same order and cannot deadlock.
  await sql`
    WITH ended AS (
      SELECT i.id, i.initiator_id, i.session_key, i.client, i.metadata, i.started_at, i.ended_at,
             i.provider, i.provider_name, i.model, i.thread_parent_id IS NULL AS is_root,
             coalesce(t.input_tokens, 0) AS input_tokens, coalesce(t.output_tokens, 0) AS output_tokens,
             coalesce(t.cache_read, 0) AS cache_read, coalesce(t.cache_write, 0) AS cache_write,
             p.prompt, p.created_at AS prompt_at
      FROM aibridge_interceptions i
      LEFT JOIN LATERAL (
        SELECT sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
               sum(cache_read_input_tokens) AS cache_read, sum(cache_write_input_tokens) AS cache_write
        FROM aibridge_token_usages WHERE interception_id = i.id
      ) t ON true
      LEFT JOIN LATERAL (
        SELECT prompt, created_at FROM aibridge_user_prompts
        WHERE interception_id = i.id ORDER BY created_at DESC, id DESC LIMIT 1
      ) p ON true
      WHERE i.id = ANY(${ids})
    ),
    grouped AS (
      SELECT initiator_id, session_key,
             (array_agg(id ORDER BY started_at, id))[1] AS first_interception_id,
             (array_agg(client ORDER BY started_at, id))[1] AS client,
             (array_agg(metadata ORDER BY started_at, id))[1] AS metadata,
             min(started_at) AS started_at, max(ended_at) AS ended_at,
             (array_agg(prompt ORDER BY prompt_at DESC, id DESC) FILTER (WHERE prompt IS NOT NULL))[1] AS last_prompt,
             max(prompt_at) AS last_prompt_at,
             array_agg(DISTINCT provider ORDER BY provider) AS providers,
             array_agg(DISTINCT provider_name ORDER BY provider_name) AS provider_names,
             array_agg(DISTINCT model ORDER BY model) AS models,
             count(*) AS interceptions, count(*) FILTER (WHERE is_root) AS threads,
             sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
             sum(cache_read) AS cache_read, sum(cache_write) AS cache_write
      FROM ended GROUP BY initiator_id, session_key
    )
    INSERT INTO aibridge_sessions AS s (
      initiator_id, session_key, first_interception_id, client, metadata, started_at, ended_at,
      last_prompt, last_prompt_at, last_active_at, providers, provider_names, models, interceptions, threads,
      input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens
    )
    SELECT initiator_id, session_key, first_interception_id, client, metadata, started_at, ended_at,
           last_prompt, last_prompt_at, coalesce(last_prompt_at, started_at), providers, provider_names, models,
           interceptions, threads, input_tokens, output_tokens, cache_read, cache_write
    FROM grouped ORDER BY initiator_id, session_key
    ON CONFLICT (initiator_id, session_key) DO UPDATE SET
      first_interception_id = CASE WHEN excluded.started_at < s.started_at
        THEN excluded.first_interception_id ELSE s.first_interception_id END,
      client = CASE WHEN excluded.started_at < s.started_at THEN excluded.client ELSE s.client END,
      metadata = CASE WHEN excluded.started_at < s.started_at THEN excluded.metadata ELSE s.metadata END,
      started_at = least(s.started_at, excluded.started_at),
      ended_at = greatest(s.ended_at, excluded.ended_at),
      last_prompt = CASE WHEN excluded.last_prompt_at IS NOT NULL
          AND (s.last_prompt_at IS NULL OR excluded.last_prompt_at >= s.last_prompt_at)
        THEN excluded.last_prompt ELSE s.last_prompt END,
      last_prompt_at = greatest(s.last_prompt_at, excluded.last_prompt_at),
      last_active_at = coalesce(greatest(s.last_prompt_at, excluded.last_prompt_at),
        least(s.started_at, excluded.started_at)),
      providers = ARRAY(SELECT DISTINCT unnest(s.providers || excluded.providers) ORDER BY 1),
      provider_names = ARRAY(SELECT DISTINCT unnest(s.provider_names || excluded.provider_names) ORDER BY 1),
      models = ARRAY(SELECT DISTINCT unnest(s.models || excluded.models) ORDER BY 1),
      interceptions = s.interceptions + excluded.interceptions,
      threads = s.threads + excluded.threads,
      input_tokens = s.input_tokens + excluded.input_tokens,
      output_tokens = s.output_tokens + excluded.output_tokens,
      cache_read_input_tokens = s.cache_read_input_tokens + excluded.cache_read_input_tokens,
      cache_write_input_tokens = s.cache_write_input_tokens + excluded.cache_write_input_tokens
  `.execute(transaction);
  await sql`
    INSERT INTO aibridge_interception_counts AS c
      (day, initiator_id, provider, provider_name, model, client, interceptions)
    SELECT (started_at AT TIME ZONE 'UTC')::date, initiator_id, provider, provider_name, model, client, count(*)
    FROM aibridge_interceptions WHERE id = ANY(${ids})
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, initiator_id, provider, provider_name, model, client)
      DO UPDATE SET interceptions = c.interceptions + excluded.interceptions
  `.execute(transaction);
  // Summed usage metadata per session (migration 0004). The session rows were upserted above, in key order,
  // so this takes no lock the transaction does not hold already.
  await sql`
    UPDATE aibridge_sessions s SET token_metadata = aibridge_add_numeric_objects(s.token_metadata, m.token_metadata)
    FROM (
      SELECT initiator_id, session_key, jsonb_object_agg(key, total) AS token_metadata FROM (
        SELECT i.initiator_id, i.session_key, l.key, sum(l.value) AS total
        FROM aibridge_interceptions i
        JOIN aibridge_token_usages t ON t.interception_id = i.id
        CROSS JOIN LATERAL aibridge_numeric_leaves(t.metadata) l
        WHERE i.id = ANY(${ids})
        GROUP BY 1, 2, 3
      ) leaves GROUP BY 1, 2
    ) m
    WHERE s.initiator_id = m.initiator_id AND s.session_key = m.session_key
  `.execute(transaction);
  // The same counts over all time (migration 0003), so an unbounded count need not sum every day.
  await sql`
    INSERT INTO aibridge_interception_totals AS t (initiator_id, provider, provider_name, model, client, interceptions)
    SELECT initiator_id, provider, provider_name, model, client, count(*)
    FROM aibridge_interceptions WHERE id = ANY(${ids})
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (initiator_id, provider, provider_name, model, client)
      DO UPDATE SET interceptions = t.interceptions + excluded.interceptions
  `.execute(transaction);
}
