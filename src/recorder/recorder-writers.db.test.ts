import { sql } from 'kysely';
import { pino } from 'pino';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { type InterceptionSpec, interceptionRecord } from '../../test/support/record-fixtures.js';
import { createUser } from '../store/users.js';
import { writeRecords } from '../store/write-records.js';
import { Recorder } from './recorder.js';

/** A day of interceptions over a few sessions, models and hours, some failing, with usage and prompts. */
function history(initiatorId: string): InterceptionSpec[] {
  return Array.from({ length: 240 }, (_, index) => ({
    initiatorId,
    clientSessionId: `session-${index % 6}`,
    model: index % 4 === 0 ? 'claude-opus-4' : 'claude-sonnet-4',
    startedAt: new Date(Date.UTC(2026, 10, 20 + (index % 3), index % 24, index % 60)),
    // Numeric usage metadata in alternate runs of 60: some batches add none to a session's sums.
    usages: [
      {
        input: index,
        output: 2 * index,
        cacheRead: 7,
        cacheWrite: 1,
        metadata: Math.floor(index / 60) % 2 === 0 ? { tier: 'standard' } : { cache: { tokens: index % 5 } },
      },
    ],
    // A model that arrives late in some sessions: their model arrays grow.
    ...(index > 200 && index % 6 === 1 ? { model: 'gpt-5' } : {}),
    prompt: `prompt ${index}`,
    ...(index % 7 === 0 ? { end: { upstreamStatus: 529, error: 'Overloaded' } } : {}),
  }));
}

/** The rollups of one initiator, without ids (which differ between two writes of the same history). */
async function rollupsOf(db: Parameters<typeof writeRecords>[0], initiatorId: string) {
  const sessions = await sql`
    SELECT session_key, client, started_at, ended_at, last_prompt, last_prompt_at, last_active_at, providers,
      provider_names, models, interceptions, threads, input_tokens, output_tokens, cache_read_input_tokens,
      cache_write_input_tokens, token_metadata, errors
    FROM aibridge_sessions WHERE initiator_id = ${initiatorId} ORDER BY session_key`.execute(db);
  const days = await sql`
    SELECT day, provider, provider_name, model, client, interceptions, failed, input_tokens, output_tokens,
      cache_read_input_tokens, cache_write_input_tokens
    FROM aibridge_interception_counts WHERE initiator_id = ${initiatorId} ORDER BY 1, 2, 3, 4, 5`.execute(db);
  const hours = await sql`
    SELECT hour, provider, provider_name, model, client, interceptions, failed, input_tokens, output_tokens
    FROM aibridge_usage_hourly WHERE initiator_id = ${initiatorId} ORDER BY 1, 2, 3, 4, 5`.execute(db);
  const totals = await sql`
    SELECT provider, provider_name, model, client, interceptions
    FROM aibridge_interception_totals WHERE initiator_id = ${initiatorId} ORDER BY 1, 2, 3, 4`.execute(db);
  const byUser = await sql`
    SELECT granularity, bucket, interceptions, failed, input_tokens, output_tokens
    FROM aibridge_usage_by_dimension WHERE dimension = 'user' AND key = ${initiatorId} ORDER BY 1, 2`.execute(
    db,
  );
  const models = await sql`
    SELECT model, session_key FROM aibridge_session_models WHERE initiator_id = ${initiatorId}
    ORDER BY 1, 2`.execute(db);
  return {
    sessions: sessions.rows,
    days: days.rows,
    hours: hours.rows,
    totals: totals.rows,
    byUser: byUser.rows,
    models: models.rows,
  };
}

describeEachDatabase('two writers at once', (getStore) => {
  let alone: string;
  let together: string;
  let mostAtOnce = 0;

  beforeAll(async () => {
    const { db } = getStore();
    alone = (await createUser(db, { username: 'alone' }))?.id ?? '';
    together = (await createUser(db, { username: 'together' }))?.id ?? '';
    // The reference: the whole history in one transaction.
    await writeRecords(
      db,
      history(alone).map((spec) => interceptionRecord(spec).interception),
    );
    // The same history through a recorder writing batches of 10 with two writers, over the same sessions,
    // days and rollup rows.
    let atOnce = 0;
    const recorder = new Recorder({
      db,
      logger: pino({ level: 'silent' }),
      capacity: 10_000,
      maxBatch: 10,
      writers: 2,
      write: async (database, interceptions) => {
        atOnce += 1;
        mostAtOnce = Math.max(mostAtOnce, atOnce);
        try {
          await writeRecords(database, interceptions);
        } finally {
          atOnce -= 1;
        }
      },
    });
    for (const spec of history(together)) recorder.enqueue(interceptionRecord(spec).interception);
    await recorder.drain();
  });

  it('writes two batches at once while a backlog waits', () => {
    expect(mostAtOnce).toBe(2);
  });

  it('keeps every rollup equal to writing the same interceptions in one transaction', async () => {
    const { db } = getStore();
    const reference = await rollupsOf(db, alone);
    expect(reference.sessions).toHaveLength(6);
    expect(reference.days).toHaveLength(7);
    expect(await rollupsOf(db, together)).toEqual(reference);
  });

  it('writes every interception and its children once', async () => {
    const { db } = getStore();
    const counts = await sql<{ interceptions: number; usages: number; prompts: number; errors: number }>`
      SELECT count(*)::int AS interceptions, sum(errors)::int AS errors,
        (SELECT count(*)::int FROM aibridge_token_usages t JOIN aibridge_interceptions i ON i.id = t.interception_id
          WHERE i.initiator_id = ${together}) AS usages,
        (SELECT count(*)::int FROM aibridge_user_prompts p JOIN aibridge_interceptions i ON i.id = p.interception_id
          WHERE i.initiator_id = ${together}) AS prompts
      FROM aibridge_interceptions i
      LEFT JOIN LATERAL (SELECT (i.error_type IS NOT NULL)::int AS errors) e ON TRUE
      WHERE i.initiator_id = ${together}`.execute(db);
    expect(counts.rows[0]).toEqual({ interceptions: 240, usages: 240, prompts: 240, errors: 35 });
  });
});
