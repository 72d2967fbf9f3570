import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import type {
  InterceptionEnd,
  InterceptionStart,
  RecordedInterception,
  TokenUsageRecord,
  ToolUsageRecord,
  UserPromptRecord,
} from '../src/core/records.js';
import { purgeRecords } from '../src/store/purge-records.js';
import { createUser } from '../src/store/users.js';
import { writeRecords } from '../src/store/write-records.js';
import { describeEachDatabase } from './support/databases.js';

function start(
  input: Partial<InterceptionStart> & { initiatorId: string; startedAt: Date },
): InterceptionStart {
  return {
    id: newId(),
    apiKeyId: 'abcdefghij',
    provider: 'anthropic',
    providerName: 'anthropic',
    model: 'claude-sonnet-4',
    client: 'Claude Code',
    clientSessionId: null,
    threadParentId: null,
    threadRootId: null,
    credentialKind: 'centralized',
    credentialHint: 'sk-a...wxyz',
    metadata: { user_agent: 'claude-cli/2.0' },
    ...input,
  };
}

function usage(interceptionId: string, tokens: [number, number, number, number], at: Date): TokenUsageRecord {
  return {
    id: newId(),
    interceptionId,
    providerResponseId: `msg_${interceptionId.slice(-6)}`,
    inputTokens: tokens[0],
    outputTokens: tokens[1],
    cacheReadInputTokens: tokens[2],
    cacheWriteInputTokens: tokens[3],
    metadata: {},
    createdAt: at,
  };
}

function prompt(interceptionId: string, text: string, at: Date): UserPromptRecord {
  return { id: newId(), interceptionId, providerResponseId: 'r', prompt: text, metadata: {}, createdAt: at };
}

const end = (at: Date): InterceptionEnd => ({ endedAt: at, upstreamStatus: 200, error: null });

/** A whole interception: its start, its end and its children. */
function whole(
  start: InterceptionStart,
  ended: InterceptionEnd,
  children: Partial<Omit<RecordedInterception, 'start' | 'end'>> = {},
): RecordedInterception {
  return {
    start,
    end: ended,
    userPrompts: [],
    tokenUsages: [],
    toolUsages: [],
    modelThoughts: [],
    ...children,
  };
}

describeEachDatabase('writeRecords', (getStore) => {
  let userId: string;
  beforeAll(async () => {
    const user = await createUser(getStore().db, { username: 'writer' });
    userId = user?.id ?? '';
  });

  it('writes interceptions with their children and rolls their session up', async () => {
    const db = getStore().db;
    const t0 = new Date('2026-05-01T10:00:00Z');
    const first = start({ initiatorId: userId, startedAt: t0, clientSessionId: 'session-a' });
    const second = start({
      initiatorId: userId,
      startedAt: new Date('2026-05-01T10:01:00Z'),
      clientSessionId: 'session-a',
      model: 'claude-opus-4',
      threadParentId: first.id,
      threadRootId: first.id,
    });
    const read: ToolUsageRecord = {
      id: newId(),
      interceptionId: second.id,
      providerResponseId: 'r2',
      providerToolCallId: 'toolu_1',
      tool: 'Read',
      input: '{"path":"a.ts"}',
      injected: false,
      serverUrl: null,
      invocationError: null,
      metadata: {},
      createdAt: t0,
    };
    const none = await db
      .selectFrom('aibridge_sessions')
      .selectAll()
      .where('session_key', '=', 'session-a')
      .execute();
    expect(none).toEqual([]);
    // The first interception in one batch, the second in the next: the session adds them up.
    await writeRecords(db, [
      whole(first, end(new Date('2026-05-01T10:00:30Z')), {
        userPrompts: [prompt(first.id, 'fix the bug', new Date('2026-05-01T10:00:00.100Z'))],
        tokenUsages: [usage(first.id, [100, 20, 5, 7], t0)],
      }),
    ]);
    await writeRecords(db, [
      whole(second, end(new Date('2026-05-01T10:02:00Z')), {
        tokenUsages: [usage(second.id, [10, 2, 1000, 0], t0)],
        toolUsages: [read],
      }),
    ]);
    const session = await db
      .selectFrom('aibridge_sessions')
      .selectAll()
      .where('session_key', '=', 'session-a')
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({
      initiator_id: userId,
      first_interception_id: first.id,
      client: 'Claude Code',
      metadata: { user_agent: 'claude-cli/2.0' },
      last_prompt: 'fix the bug',
      models: ['claude-opus-4', 'claude-sonnet-4'],
      providers: ['anthropic'],
      provider_names: ['anthropic'],
      interceptions: 2,
      threads: 1,
      input_tokens: 110,
      output_tokens: 22,
      cache_read_input_tokens: 1005,
      cache_write_input_tokens: 7,
    });
    expect(session.started_at.toISOString()).toBe('2026-05-01T10:00:00.000Z');
    expect(session.ended_at.toISOString()).toBe('2026-05-01T10:02:00.000Z');
    expect(session.last_active_at.toISOString()).toBe('2026-05-01T10:00:00.100Z');
    const counts = await db
      .selectFrom('aibridge_interception_counts')
      .select(['day', 'model', 'interceptions'])
      .where('initiator_id', '=', userId)
      .orderBy('model')
      .execute();
    expect(counts).toEqual([
      { day: '2026-05-01', model: 'claude-opus-4', interceptions: 1 },
      { day: '2026-05-01', model: 'claude-sonnet-4', interceptions: 1 },
    ]);
  });

  it('applies a batch again without double counting (a retry after an unclear commit)', async () => {
    const db = getStore().db;
    const at = new Date('2026-05-02T09:00:00Z');
    const lone = start({ initiatorId: userId, startedAt: at });
    const batch = [
      whole(lone, end(new Date('2026-05-02T09:00:01Z')), { tokenUsages: [usage(lone.id, [1, 2, 3, 4], at)] }),
    ];
    await writeRecords(db, batch);
    await writeRecords(db, batch);
    const session = await db
      .selectFrom('aibridge_sessions')
      .selectAll()
      .where('session_key', '=', lone.id)
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({ interceptions: 1, threads: 1, input_tokens: 1, last_prompt: null });
    expect(session.last_active_at.toISOString()).toBe(at.toISOString());
    const usages = await db
      .selectFrom('aibridge_token_usages')
      .select(sql<number>`count(*)`.as('n'))
      .where('interception_id', '=', lone.id)
      .executeTakeFirstOrThrow();
    expect(usages.n).toBe(1);
  });

  it('rolls back a whole batch that fails, leaving nothing half-written', async () => {
    const db = getStore().db;
    const at = new Date('2026-05-03T09:00:00Z');
    const good = start({ initiatorId: userId, startedAt: at });
    // A usage that refers to no interception: a foreign-key violation.
    const broken = whole(good, end(at), { tokenUsages: [usage(newId(), [1, 1, 1, 1], at)] });
    await expect(writeRecords(db, [broken])).rejects.toThrow();
    const found = await db
      .selectFrom('aibridge_interceptions')
      .select('id')
      .where('id', '=', good.id)
      .execute();
    expect(found).toEqual([]);
  });

  it('keeps the earliest interception as the session client when they are written out of order', async () => {
    const db = getStore().db;
    const early = start({
      initiatorId: userId,
      startedAt: new Date('2026-05-04T08:00:00Z'),
      clientSessionId: 's-b',
    });
    const late = start({
      initiatorId: userId,
      startedAt: new Date('2026-05-04T08:05:00Z'),
      clientSessionId: 's-b',
      client: 'Codex',
    });
    // The later one ends first and is written first.
    await writeRecords(db, [
      whole(late, end(new Date('2026-05-04T08:06:00Z')), {
        userPrompts: [prompt(late.id, 'second', new Date('2026-05-04T08:05:00Z'))],
      }),
    ]);
    await writeRecords(db, [
      whole(early, end(new Date('2026-05-04T08:10:00Z')), {
        userPrompts: [prompt(early.id, 'first', new Date('2026-05-04T08:00:00Z'))],
      }),
    ]);
    const session = await db
      .selectFrom('aibridge_sessions')
      .selectAll()
      .where('session_key', '=', 's-b')
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({
      client: 'Claude Code',
      first_interception_id: early.id,
      last_prompt: 'second',
    });
    expect(session.last_active_at.toISOString()).toBe('2026-05-04T08:05:00.000Z');
    expect(session.ended_at.toISOString()).toBe('2026-05-04T08:10:00.000Z');
  });

  it('purges records that started before the retention cutoff, with their rollups', async () => {
    const db = getStore().db;
    const old = start({
      initiatorId: userId,
      startedAt: new Date('2020-01-01T00:00:00Z'),
      clientSessionId: 'old',
    });
    const recent = start({
      initiatorId: userId,
      startedAt: new Date('2026-06-01T00:00:00Z'),
      clientSessionId: 'new',
    });
    await writeRecords(db, [
      whole(old, end(new Date('2020-01-01T00:01:00Z')), {
        tokenUsages: [usage(old.id, [1, 1, 1, 1], old.startedAt)],
      }),
      whole(recent, end(new Date('2026-06-01T00:01:00Z'))),
    ]);
    expect(await purgeRecords(db, new Date('2025-01-01T00:00:00Z'))).toBe(1);
    const left = await db
      .selectFrom('aibridge_interceptions')
      .select('id')
      .where('id', 'in', [old.id, recent.id])
      .execute();
    expect(left).toEqual([{ id: recent.id }]);
    const usages = await db
      .selectFrom('aibridge_token_usages')
      .select('id')
      .where('interception_id', '=', old.id)
      .execute();
    expect(usages).toEqual([]);
    const sessions = await db
      .selectFrom('aibridge_sessions')
      .select('session_key')
      .where('session_key', 'in', ['old', 'new'])
      .execute();
    expect(sessions).toEqual([{ session_key: 'new' }]);
    const days = await db
      .selectFrom('aibridge_interception_counts')
      .select('day')
      .where('day', '<', '2025-01-01')
      .execute();
    expect(days).toEqual([]);
  });

  it('purges whole UTC days, so a day cut by the cutoff keeps its interceptions and its count', async () => {
    const db = getStore().db;
    const morning = start({
      initiatorId: userId,
      startedAt: new Date('2024-03-05T06:00:00Z'),
      model: 'day-cut',
    });
    await writeRecords(db, [whole(morning, end(new Date('2024-03-05T06:00:01Z')))]);
    await purgeRecords(db, new Date('2024-03-05T12:00:00Z'));
    const kept = await db
      .selectFrom('aibridge_interceptions')
      .select('id')
      .where('id', '=', morning.id)
      .execute();
    expect(kept).toEqual([{ id: morning.id }]);
    const counts = await db
      .selectFrom('aibridge_interception_counts')
      .select(['day', 'interceptions'])
      .where('model', '=', 'day-cut')
      .execute();
    expect(counts).toEqual([{ day: '2024-03-05', interceptions: 1 }]);
  });
});
