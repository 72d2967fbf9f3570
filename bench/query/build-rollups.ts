/**
 * Builds the rollups of a bulk-loaded history in two statements with the write path's semantics
 * (src/store/update-rollups.ts), and checks them on a sample against the write path itself.
 */
import { type Kysely, sql } from 'kysely';
import { usageByDimensionFrom } from '../../src/store/migrations/0008-dashboard.js';
import { usageByPeriodFromDays } from '../../src/store/migrations/0010-session-errors.js';
import type { Database } from '../../src/store/schema.js';
import { updateRollups } from '../../src/store/update-rollups.js';
import { loadFacts } from './load-facts.js';

/**
 * Fills `aibridge_sessions`, `aibridge_session_models`, `aibridge_interception_counts`, `_totals` and
 * `aibridge_usage_hourly` and `aibridge_usage_by_dimension` from the ended interceptions.
 */
export async function buildRollups(db: Kysely<Database>): Promise<void> {
  await sql`
    INSERT INTO aibridge_sessions (initiator_id, session_key, first_interception_id, client, metadata, started_at,
      ended_at, last_prompt, last_prompt_at, last_active_at, providers, provider_names, models, interceptions, threads,
      errors, input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens)
    SELECT i.initiator_id, i.session_key,
      (array_agg(i.id ORDER BY i.started_at, i.id))[1], (array_agg(i.client ORDER BY i.started_at, i.id))[1],
      (array_agg(i.metadata ORDER BY i.started_at, i.id))[1], min(i.started_at), max(i.ended_at),
      (array_agg(p.prompt ORDER BY p.created_at DESC, i.id DESC) FILTER (WHERE p.prompt IS NOT NULL))[1],
      max(p.created_at), coalesce(max(p.created_at), min(i.started_at)),
      array_agg(DISTINCT i.provider ORDER BY i.provider), array_agg(DISTINCT i.provider_name ORDER BY i.provider_name),
      array_agg(DISTINCT i.model ORDER BY i.model), count(*), count(*) FILTER (WHERE i.thread_parent_id IS NULL),
      count(*) FILTER (WHERE i.error_type IS NOT NULL), coalesce(sum(t.input_tokens), 0), coalesce(sum(t.output_tokens), 0), coalesce(sum(t.cache_read), 0),
      coalesce(sum(t.cache_write), 0)
    FROM aibridge_interceptions i
    LEFT JOIN (
      SELECT interception_id, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
        sum(cache_read_input_tokens) AS cache_read, sum(cache_write_input_tokens) AS cache_write
      FROM aibridge_token_usages GROUP BY interception_id
    ) t ON t.interception_id = i.id
    LEFT JOIN (
      SELECT DISTINCT ON (interception_id) interception_id, prompt, created_at FROM aibridge_user_prompts
      ORDER BY interception_id, created_at DESC, id DESC
    ) p ON p.interception_id = i.id
    WHERE i.ended_at IS NOT NULL
    GROUP BY i.initiator_id, i.session_key`.execute(db);
  await sql`
    UPDATE aibridge_sessions s SET token_metadata = m.token_metadata FROM (
      SELECT initiator_id, session_key, jsonb_object_agg(key, total) AS token_metadata FROM (
        SELECT i.initiator_id, i.session_key, l.key, sum(l.value) AS total
        FROM aibridge_interceptions i
        JOIN aibridge_token_usages t ON t.interception_id = i.id
        CROSS JOIN LATERAL aibridge_numeric_leaves(t.metadata) l
        WHERE i.ended_at IS NOT NULL
        GROUP BY 1, 2, 3
      ) leaves GROUP BY 1, 2
    ) m WHERE s.initiator_id = m.initiator_id AND s.session_key = m.session_key`.execute(db);
  await sql`
    INSERT INTO aibridge_session_models (model, initiator_id, session_key)
    SELECT DISTINCT model, initiator_id, session_key FROM aibridge_interceptions WHERE ended_at IS NOT NULL`.execute(
    db,
  );
  // In day order, as the write path lays them out (a day's rows are created on that day and not updated
  // after it): in a hash aggregate's order a day's rows would be spread over the whole table, and a 7-day
  // count would read 1,300 heap pages instead of 100.
  const sums = sql.raw(`count(*), sum(failed), sum(input_tokens), sum(output_tokens), sum(cache_read),
    sum(cache_write)`);
  await db.transaction().execute(async (transaction) => {
    await sql`CREATE TEMP TABLE bench_usage ON COMMIT DROP AS
      SELECT i.started_at, i.initiator_id, i.provider, i.provider_name, i.model, i.client,
        (i.error IS NOT NULL)::int AS failed, coalesce(t.input_tokens, 0) AS input_tokens,
        coalesce(t.output_tokens, 0) AS output_tokens, coalesce(t.cache_read, 0) AS cache_read,
        coalesce(t.cache_write, 0) AS cache_write
      FROM aibridge_interceptions i
      LEFT JOIN (
        SELECT interception_id, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
          sum(cache_read_input_tokens) AS cache_read, sum(cache_write_input_tokens) AS cache_write
        FROM aibridge_token_usages GROUP BY interception_id
      ) t ON t.interception_id = i.id
      WHERE i.ended_at IS NOT NULL`.execute(transaction);
    // In day (and hour) order, as the write path lays them out (a day's rows are created on that day and
    // not updated after it): in a hash aggregate's order a day's rows would be spread over the whole
    // table, and a 7-day count would read 1,300 heap pages instead of 100.
    await sql`
      INSERT INTO aibridge_interception_counts (day, initiator_id, provider, provider_name, model, client,
        interceptions, failed, input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens)
      SELECT (started_at AT TIME ZONE 'UTC')::date, initiator_id, provider, provider_name, model, client, ${sums}
      FROM bench_usage GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1`.execute(transaction);
    await sql`
      INSERT INTO aibridge_usage_hourly (hour, initiator_id, provider, provider_name, model, client,
        interceptions, failed, input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens)
      SELECT date_trunc('hour', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', initiator_id, provider,
        provider_name, model, client, ${sums}
      FROM bench_usage GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1`.execute(transaction);
    await sql
      .raw(
        usageByDimensionFrom(`(SELECT hour AT TIME ZONE 'UTC' AS hour, initiator_id, provider, provider_name,
          model, client, interceptions, failed, input_tokens, output_tokens, cache_read_input_tokens,
          cache_write_input_tokens FROM aibridge_usage_hourly) h`),
      )
      .execute(transaction);
    await sql.raw(usageByPeriodFromDays('TRUE')).execute(transaction);
  });
  await sql`
    INSERT INTO aibridge_interception_totals (initiator_id, provider, provider_name, model, client, interceptions)
    SELECT initiator_id, provider, provider_name, model, client, sum(interceptions)
    FROM aibridge_interception_counts GROUP BY 1, 2, 3, 4, 5`.execute(db);
}

/**
 * Recomputes the rollups of a few initiators through the write path's `updateRollups` inside a transaction
 * that is rolled back, and compares them with the bulk rows. Returns the number of rows compared.
 */
export async function verifyRollups(db: Kysely<Database>, initiators: number): Promise<number> {
  const sample = await sql<{ id: string }>`
    SELECT id FROM users WHERE username LIKE 'user%' ORDER BY username DESC LIMIT ${initiators}`.execute(db);
  const userIds = sample.rows.map((row) => row.id);
  const snapshot = async (executor: Kysely<Database>) => {
    const sessions = await sql`SELECT * FROM aibridge_sessions WHERE initiator_id = ANY(${userIds}::uuid[])
      ORDER BY initiator_id, session_key`.execute(executor);
    const models =
      await sql`SELECT * FROM aibridge_session_models WHERE initiator_id = ANY(${userIds}::uuid[])
      ORDER BY model, initiator_id, session_key`.execute(executor);
    const counts =
      await sql`SELECT * FROM aibridge_interception_counts WHERE initiator_id = ANY(${userIds}::uuid[])
      ORDER BY day, initiator_id, provider, provider_name, model, client`.execute(executor);
    const hours = await sql`SELECT * FROM aibridge_usage_hourly WHERE initiator_id = ANY(${userIds}::uuid[])
      ORDER BY hour, initiator_id, provider, provider_name, model, client`.execute(executor);
    const dimensions = await sql`SELECT * FROM aibridge_usage_by_dimension
      WHERE dimension = 'user' AND key = ANY(${userIds}::text[]) ORDER BY granularity, bucket, key`.execute(
      executor,
    );
    // Kept by triggers on the sessions (migration 0013), which the bulk load inserts as the writer does.
    const starts = await sql`SELECT * FROM aibridge_user_session_starts
      WHERE initiator_id = ANY(${userIds}::uuid[]) ORDER BY initiator_id, granularity, bucket`.execute(
      executor,
    );
    return JSON.stringify([
      sessions.rows,
      models.rows,
      counts.rows,
      hours.rows,
      dimensions.rows,
      starts.rows,
    ]);
  };
  const bulk = await snapshot(db);
  const rollback = new Error('rollback');
  let recomputed = '';
  try {
    await db.transaction().execute(async (transaction) => {
      await sql`DELETE FROM aibridge_sessions WHERE initiator_id = ANY(${userIds}::uuid[])`.execute(
        transaction,
      );
      await sql`DELETE FROM aibridge_session_models WHERE initiator_id = ANY(${userIds}::uuid[])`.execute(
        transaction,
      );
      await sql`DELETE FROM aibridge_interception_counts WHERE initiator_id = ANY(${userIds}::uuid[])`.execute(
        transaction,
      );
      await sql`DELETE FROM aibridge_usage_hourly WHERE initiator_id = ANY(${userIds}::uuid[])`.execute(
        transaction,
      );
      // Only the sampled users' own rows: the other dimensions' rows are not compared.
      await sql`DELETE FROM aibridge_usage_by_dimension WHERE dimension = 'user' AND key = ANY(${userIds}::text[])`.execute(
        transaction,
      );
      const ended = await sql<{ id: string }>`SELECT id FROM aibridge_interceptions
        WHERE initiator_id = ANY(${userIds}::uuid[]) AND ended_at IS NOT NULL`.execute(transaction);
      await updateRollups(
        transaction,
        await loadFacts(
          transaction,
          ended.rows.map((row) => row.id),
        ),
      );
      recomputed = await snapshot(transaction);
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  if (recomputed !== bulk) throw new Error('bulk rollups differ from the write path on the sample');
  return (JSON.parse(bulk) as unknown[][]).reduce((total, rows) => total + rows.length, 0);
}
