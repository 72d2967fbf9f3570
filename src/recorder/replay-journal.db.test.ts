import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { newId } from '../core/ids.js';
import type { InterceptionStart, RecordEvent } from '../core/records.js';
import { createUser } from '../store/users.js';
import { writeRecords } from '../store/write-records.js';
import { openJournal } from './replay-journal.js';

const logger = pino({ level: 'silent' });
const directory = mkdtempSync(join(tmpdir(), 'aibridge-replay-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeEachDatabase('crash journal replay', (getStore, engine) => {
  it('writes what the journal holds once, however often it is replayed', async () => {
    const { db } = getStore();
    const user = await createUser(db, { username: `replay-${engine}` });
    if (!user) throw new Error('no user');
    const journalDirectory = join(directory, engine);
    const startOf = (id: string): InterceptionStart => ({
      id,
      initiatorId: user.id,
      apiKeyId: null,
      provider: 'openai',
      providerName: 'openai',
      model: 'gpt-4.1',
      client: 'Codex',
      clientSessionId: 'replayed-session',
      threadParentId: null,
      threadRootId: null,
      credentialKind: 'centralized',
      credentialHint: 'sk-c...0000',
      metadata: {},
      startedAt: new Date(),
    });
    const promptOf = (id: string) => `prompt of ${id}`;
    const done = newId();
    const inFlight = newId();
    const first = openJournal({ directory: journalDirectory, logger });
    first.journal.admit({ start: startOf(done), prompt: promptOf(done) });
    first.journal.admit({ start: startOf(inFlight), prompt: promptOf(inFlight) });
    const finished: RecordEvent[] = [
      { kind: 'interception-start', record: startOf(done) },
      {
        kind: 'user-prompt',
        record: {
          id: newId(),
          interceptionId: done,
          providerResponseId: '',
          prompt: promptOf(done),
          metadata: {},
          createdAt: new Date(),
        },
      },
      {
        kind: 'token-usage',
        record: {
          id: newId(),
          interceptionId: done,
          providerResponseId: 'chatcmpl-1',
          inputTokens: 5,
          outputTokens: 7,
          cacheReadInputTokens: 0,
          cacheWriteInputTokens: 0,
          metadata: {},
          createdAt: new Date(),
        },
      },
      {
        kind: 'interception-end',
        record: { id: done, endedAt: new Date(), upstreamStatus: 200, error: null },
      },
    ];
    first.journal.queued(finished);
    first.journal.close();

    // A replay whose write landed, then a crash before the journal learnt it, then a replay again.
    for (let run = 0; run < 2; run++) {
      const opened = openJournal({ directory: journalDirectory, logger });
      expect(opened).toMatchObject({ finished: 1, interrupted: 1 });
      await writeRecords(db, opened.replay);
      opened.journal.close();
    }
    const rows = await db
      .selectFrom('aibridge_interceptions')
      .select(['id', 'error', 'metadata', 'ended_at'])
      .where('id', 'in', [done, inFlight])
      .orderBy('id')
      .execute();
    expect(rows).toMatchObject([
      { id: done, error: null },
      { id: inFlight, error: expect.stringMatching(/^interrupted/), metadata: { interrupted: true } },
    ]);
    const prompts = await db
      .selectFrom('aibridge_user_prompts')
      .select('interception_id')
      .where('interception_id', 'in', [done, inFlight])
      .execute();
    expect(prompts).toHaveLength(2);
    const usages = await db
      .selectFrom('aibridge_token_usages')
      .select('id')
      .where('interception_id', '=', done)
      .execute();
    expect(usages).toHaveLength(1);
    const session = await db
      .selectFrom('aibridge_sessions')
      .selectAll()
      .where('session_key', '=', 'replayed-session')
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({ interceptions: 2, input_tokens: 5, output_tokens: 7 });
  });
});
