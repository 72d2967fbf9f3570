/**
 * The write path's capacity: interceptions as the proxy queues them (each with a prompt, a usage, two tool
 * calls and a thought), all queued at once, timed until the recorder has written them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { newId } from '../../src/core/ids.js';
import type { RecordedInterception } from '../../src/core/records.js';
import { rowCount } from '../../src/core/records.js';
import { buildRecords } from '../../src/proxy/build-records.js';
import { Recorder, type RecorderOptions } from '../../src/recorder/recorder.js';
import { createLogger } from '../../src/server/logger.js';
import { StatisticsUpkeep } from '../../src/store/keep-statistics.js';
import { openStore, type StoreOptions } from '../../src/store/open-store.js';
import { createUser } from '../../src/store/users.js';
import { writeRecords } from '../../src/store/write-records.js';

/** One interception as the proxy queues it. */
export function interception(userId: string, index: number): RecordedInterception {
  const id = newId();
  const now = new Date();
  return buildRecords({
    start: {
      id,
      initiatorId: userId,
      apiKeyId: 'benchkey01',
      provider: 'anthropic',
      providerName: 'anthropic',
      model: 'claude-sonnet-5-5',
      client: 'Claude Code',
      clientSessionId: `session-${index % 500}`,
      threadParentId: null,
      threadRootId: null,
      credentialKind: 'centralized',
      credentialHint: 'sk-a...wxyz',
      metadata: { user_agent: 'claude-cli/2.0.14 (external, cli)' },
      startedAt: now,
    },
    prompt: `prompt ${index}`,
    outcome: {
      endedAt: now,
      upstreamStatus: 200,
      error: null,
      metadata: {},
      summary: {
        responseId: `msg_${index}`,
        usage: {
          inputTokens: 12,
          outputTokens: 187,
          cacheReadInputTokens: 15000,
          cacheWriteInputTokens: 2048,
          metadata: { service_tier: 'standard' },
        },
        toolCalls: [
          {
            providerToolCallId: `toolu_${index}_a`,
            tool: 'Read',
            input: '{"file_path":"/src/a.ts"}',
            metadata: {},
          },
          { providerToolCallId: `toolu_${index}_b`, tool: 'Grep', input: '{"pattern":"x"}', metadata: {} },
        ],
        thoughts: [{ content: 'I should read both files.', metadata: {} }],
        error: null,
        problems: [],
      },
    },
  });
}

/** Writes `count` interceptions through a Recorder into a fresh store; returns interceptions per second. */
export async function measureWritePath(input: {
  engine: 'pglite' | 'postgres';
  databaseUrl?: string;
  count: number;
  /** Called just before the first interception is queued (profilers reset their counters). */
  onStart?: () => void;
  /** Recorder settings other than its defaults (writers, maxBatch). */
  recorder?: Pick<RecorderOptions, 'writers' | 'maxBatch'>;
  /** Counts the written rows into the statistics upkeep as run-server.ts does (its analyzes run meanwhile). */
  upkeep?: boolean;
}): Promise<number> {
  const schemaName = `bench_writer_${Date.now().toString(36)}`;
  const directory = input.engine === 'pglite' ? mkdtempSync(join(tmpdir(), 'aibridge-bench-writer-')) : null;
  const options: StoreOptions =
    directory !== null
      ? { dataDir: directory }
      : { databaseUrl: input.databaseUrl ?? '', schema: schemaName };
  const store = await openStore(options);
  try {
    const user = await createUser(store.db, { username: 'bench-writer' });
    if (user === null) throw new Error('could not create the bench user');
    const logger = createLogger({ level: 'silent' });
    // As run-server.ts wires it.
    const statistics = input.upkeep
      ? new StatisticsUpkeep({ db: store.db, logger, busy: () => recorder.behind })
      : null;
    statistics?.start();
    await statistics?.idle();
    let failures = 0;
    const recorder = new Recorder({
      db: store.db,
      logger,
      capacity: 100_000_000,
      // As run-server.ts sets it.
      writers: input.engine === 'postgres' ? 2 : 1,
      ...input.recorder,
      observer: {
        batchWritten: ({ ok }) => {
          if (!ok) failures += 1;
        },
      },
      write: async (db, interceptions) => {
        await writeRecords(db, interceptions);
        statistics?.noteWritten(
          interceptions.reduce((rows, interception) => rows + rowCount(interception), 0),
        );
      },
    });
    const interceptions = Array.from({ length: input.count }, (_, index) => interception(user.id, index));
    input.onStart?.();
    const started = performance.now();
    for (const queued of interceptions) recorder.enqueue(queued, { admitted: true });
    await recorder.drain();
    const rate = (input.count / (performance.now() - started)) * 1000;
    // A failed batch is retried, so the rate stays right; but a failure here (a deadlock between writers)
    // is a defect to know about.
    if (failures > 0) console.warn(`${failures} batch writes failed and were retried`);
    await statistics?.close();
    if (statistics) console.log(`${statistics.analyzes} analyzes during the run`);
    return rate;
  } finally {
    if (!directory) await sql`DROP SCHEMA ${sql.id(schemaName)} CASCADE`.execute(store.db).catch(() => {});
    await store.close();
    if (directory !== null) rmSync(directory, { recursive: true, force: true });
  }
}
