import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { interceptionRecord } from '../../test/support/record-fixtures.js';
import { newId } from '../core/ids.js';
import { isConnectionError } from '../store/connection-errors.js';
import { createUser } from '../store/users.js';
import { Recorder } from './recorder.js';
import { carriedError, revivedError, WriterThread } from './writer-thread.js';

const threads: WriterThread[] = [];
afterEach(async () => {
  for (const thread of threads.splice(0)) await thread.close();
});

describeEachDatabase('the writer thread', (getStore, engine) => {
  function writerThread(): WriterThread {
    const { remote } = getStore();
    if (!remote) throw new Error(`the ${engine} store offers no connection to another thread`);
    const thread = new WriterThread({ remote, poolSize: 2 });
    threads.push(thread);
    return thread;
  }

  it('writes whole interceptions with their children and rollups, from its own connections', async () => {
    const { db } = getStore();
    const user = await createUser(db, { username: `writer-thread-${engine}` });
    if (!user) throw new Error('no user');
    const records = Array.from({ length: 5 }, (_, index) =>
      interceptionRecord({
        initiatorId: user.id,
        startedAt: new Date(Date.UTC(2026, 10, 26, 10, index)),
        prompt: `prompt ${index}`,
      }),
    );
    const thread = writerThread();
    await thread.write(records.map((record) => record.interception));

    const rows = await db
      .selectFrom('aibridge_interceptions')
      .select(['id', 'started_at'])
      .where('initiator_id', '=', user.id)
      .orderBy('started_at')
      .execute();
    expect(rows.map((row) => row.id)).toEqual(records.map((record) => record.id));
    // Dates cross the thread as dates.
    expect(rows.map((row) => new Date(row.started_at).toISOString())).toEqual(
      records.map((record) => record.interception.start.startedAt.toISOString()),
    );
    const prompts = await db
      .selectFrom('aibridge_user_prompts')
      .select('prompt')
      .where(
        'interception_id',
        'in',
        records.map((record) => record.id),
      )
      .orderBy('prompt')
      .execute();
    expect(prompts.map((row) => row.prompt)).toEqual(records.map((_, index) => `prompt ${index}`));
    const sessions = await db
      .selectFrom('aibridge_sessions')
      .select(({ fn }) => fn.sum<number>('interceptions').as('count'))
      .where('initiator_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(Number(sessions.count)).toBe(records.length);
  });

  it("rejects with the database's code, so the recorder sets the one refused record aside", async () => {
    const { db } = getStore();
    const user = await createUser(db, { username: `writer-thread-refused-${engine}` });
    if (!user) throw new Error('no user');
    const stranger = interceptionRecord({ initiatorId: newId(), startedAt: new Date(), prompt: 'stranger' });
    const thread = writerThread();
    const failure = await thread.write([stranger.interception]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: '23503' });

    const kept = interceptionRecord({ initiatorId: user.id, startedAt: new Date(), prompt: 'kept' });
    const recorder = new Recorder({
      db,
      logger: pino({ level: 'silent' }),
      capacity: 10,
      write: (_db, interceptions) => thread.write(interceptions),
    });
    recorder.enqueue(stranger.interception);
    recorder.enqueue(kept.interception);
    await recorder.drain();
    expect(recorder.rejected).toBe(1);
    const written = await db
      .selectFrom('aibridge_interceptions')
      .select('id')
      .where('id', 'in', [stranger.id, kept.id])
      .execute();
    expect(written.map((row) => row.id)).toEqual([kept.id]);
  });

  it('refuses writes once closed', async () => {
    const thread = writerThread();
    await thread.close();
    await expect(thread.write([])).rejects.toThrow('closed');
  });
});

it('fails the writes of a thread that ended unasked as a broken connection does, and tells it', async () => {
  const broken: Error[] = [];
  const thread = new WriterThread({
    remote: () => ({ engine: 'postgres', databaseUrl: 'postgres://unused' }),
    poolSize: 1,
    onThreadError: (error) => broken.push(error),
    entry: new URL('../../test/support/failing-writer-thread.ts', import.meta.url),
  });
  threads.push(thread);
  const failure = await thread.write([]).catch((error: unknown) => error);
  expect(isConnectionError(failure)).toBe(true);
  expect(broken.map((error) => error.message)).toEqual(['the writer thread ended with exit code 1']);
  // The next write runs on a new thread (which ends the same way here).
  const again = await thread.write([]).catch((error: unknown) => error);
  expect(isConnectionError(again)).toBe(true);
  expect(broken).toHaveLength(2);
});

it('carries an error across threads with what the recorder reads of it', () => {
  const refused = revivedError(carriedError(Object.assign(new Error('violates'), { code: '23503' })));
  expect(refused).toMatchObject({ message: 'violates', code: '23503' });
  const unreachable = Object.assign(new AggregateError([], 'connect failed'), {
    errors: [
      Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
  });
  expect(isConnectionError(unreachable)).toBe(true);
  expect(isConnectionError(revivedError(carriedError(unreachable)))).toBe(true);
  expect(isConnectionError(revivedError(carriedError(new Error('syntax error'))))).toBe(false);
});
