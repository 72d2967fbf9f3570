/**
 * The write path's capacity: interceptions as the proxy queues them (start, prompt, usage, two tool calls,
 * a thought, end), all queued at once, timed until the recorder has written them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../src/core/ids.js';
import type { RecordEvent } from '../../src/core/records.js';
import { buildRecords } from '../../src/proxy/build-records.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { createLogger } from '../../src/server/logger.js';
import { openStore, type StoreOptions } from '../../src/store/open-store.js';
import { createUser } from '../../src/store/users.js';

/** The records of one interception as the proxy queues them. */
export function interception(userId: string, index: number): RecordEvent[] {
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
}): Promise<number> {
  const directory = input.engine === 'pglite' ? mkdtempSync(join(tmpdir(), 'aibridge-bench-writer-')) : null;
  const options: StoreOptions =
    directory !== null
      ? { dataDir: directory }
      : { databaseUrl: input.databaseUrl ?? '', schema: `bench_writer_${Date.now().toString(36)}` };
  const store = await openStore(options);
  try {
    const user = await createUser(store.db, { username: 'bench-writer' });
    if (user === null) throw new Error('could not create the bench user');
    const recorder = new Recorder({
      db: store.db,
      logger: createLogger({ level: 'silent' }),
      capacity: 100_000_000,
    });
    const batches = Array.from({ length: input.count }, (_, index) => interception(user.id, index));
    const started = performance.now();
    for (const events of batches) recorder.enqueue(events, { admitted: true });
    await recorder.drain();
    return (input.count / (performance.now() - started)) * 1000;
  } finally {
    await store.close();
    if (directory !== null) rmSync(directory, { recursive: true, force: true });
  }
}
