import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { interceptionEvents } from '../../test/support/record-fixtures.js';
import type { InterceptionEnd, JsonObject, RecordEvent } from '../core/records.js';
import { errorType } from './migrations/0006-error-type.js';
import { createUser } from './users.js';
import { writeRecords } from './write-records.js';

/** How an interception ended, and the class the database must give it. */
const cases: [string, Omit<InterceptionEnd, 'id' | 'endedAt'>, string | null][] = [
  ['success', { upstreamStatus: 200, error: null }, null],
  ['400', { upstreamStatus: 400, error: 'bad' }, 'bad_request'],
  ['422', { upstreamStatus: 422, error: 'bad' }, 'bad_request'],
  ['413', { upstreamStatus: 413, error: 'too large' }, 'bad_request'],
  ['401', { upstreamStatus: 401, error: 'invalid x-api-key' }, 'authentication'],
  ['403', { upstreamStatus: 403, error: 'no' }, 'permission'],
  ['404', { upstreamStatus: 404, error: 'no model' }, 'not_found'],
  ['429', { upstreamStatus: 429, error: 'slow down' }, 'rate_limit'],
  ['529', { upstreamStatus: 529, error: 'Overloaded' }, 'overloaded'],
  ['500', { upstreamStatus: 500, error: 'oops' }, 'server_error'],
  ['503', { upstreamStatus: 503, error: 'unavailable' }, 'server_error'],
  ['504', { upstreamStatus: 504, error: 'gateway timeout' }, 'timeout'],
  ['408', { upstreamStatus: 408, error: 'request timeout' }, 'timeout'],
  ['stream overloaded', { upstreamStatus: 200, error: 'Overloaded' }, 'overloaded'],
  [
    'headers timeout',
    { upstreamStatus: null, error: 'upstream unreachable: fetch failed (Headers Timeout Error)' },
    'timeout',
  ],
  ['unreachable', { upstreamStatus: null, error: 'upstream unreachable: connect ECONNREFUSED' }, 'unknown'],
  [
    'disconnect',
    {
      upstreamStatus: 200,
      error: 'client disconnected before the response was complete',
      metadata: { client_disconnected: true },
    },
    'client_disconnected',
  ],
  ['interrupted text', { upstreamStatus: null, error: 'interrupted: the bridge restarted' }, 'interrupted'],
  ['interrupted flag', { upstreamStatus: 200, error: null, metadata: { interrupted: true } }, 'interrupted'],
];

describeEachDatabase('error_type', (getStore) => {
  const ids = new Map<string, string>();
  let userId = '';

  beforeAll(async () => {
    const store = getStore();
    userId = (await createUser(store.db, { username: 'errors' }))!.id;
    const events: RecordEvent[] = [];
    for (const [name, end] of cases) {
      const { id, events: own } = interceptionEvents({ initiatorId: userId, startedAt: new Date() });
      ids.set(name, id);
      for (const event of own) {
        events.push(
          event.kind === 'interception-end'
            ? { kind: event.kind, record: { ...event.record, ...end } }
            : event,
        );
      }
    }
    await writeRecords(store.db, events);
  });

  const errorTypeOf = async (id: string) => {
    const result = await sql<{ error_type: string | null }>`
      SELECT error_type FROM aibridge_interceptions WHERE id = ${id}`.execute(getStore().db);
    return result.rows[0]?.error_type;
  };

  it('classifies every ended interception from its status, error and metadata', async () => {
    for (const [name, , expected] of cases) expect(await errorTypeOf(ids.get(name)!), name).toBe(expected);
  });

  it('classifies an interception ended in a later batch, and reclassifies a row marked interrupted', async () => {
    const store = getStore();
    const { id, events } = interceptionEvents({
      initiatorId: userId,
      startedAt: new Date(),
      durationMs: null,
    });
    await writeRecords(store.db, events);
    expect(await errorTypeOf(id)).toBeNull();
    const end = { id, endedAt: new Date(), upstreamStatus: 429, error: 'slow down' };
    await writeRecords(store.db, [{ kind: 'interception-end', record: end }]);
    expect(await errorTypeOf(id)).toBe('rate_limit');
    // Crash recovery marks what it replays; the class follows the row.
    const interrupted: JsonObject = { interrupted: true };
    await sql`UPDATE aibridge_interceptions SET metadata = metadata || ${JSON.stringify(interrupted)}::jsonb
      WHERE id = ${id}`.execute(store.db);
    expect(await errorTypeOf(id)).toBe('interrupted');
  });

  it('classifies the rows that existed before the migration added the column', async () => {
    const store = getStore();
    const { id, events } = interceptionEvents({ initiatorId: userId, startedAt: new Date() });
    await writeRecords(store.db, events);
    const before = await store.db
      .transaction()
      .execute(async (transaction) => {
        await sql`DROP INDEX aibridge_interceptions_failed`.execute(transaction);
        await sql`DROP INDEX aibridge_interceptions_error_type`.execute(transaction);
        await sql`ALTER TABLE aibridge_interceptions DROP COLUMN error_type`.execute(transaction);
        await sql`UPDATE aibridge_interceptions SET upstream_status = 404, error = 'no such model'
        WHERE id = ${id}`.execute(transaction);
        await sql.raw(errorType).execute(transaction);
        const result = await sql<{ error_type: string | null }>`
        SELECT error_type FROM aibridge_interceptions WHERE id = ${id}`.execute(transaction);
        // Leave the shared store as it was.
        throw new Rollback(result.rows[0]?.error_type ?? null);
      })
      .catch((error: unknown) => (error instanceof Rollback ? error.value : Promise.reject(error)));
    expect(before).toBe('not_found');
  });
});

/** Carries a result out of a transaction that must roll back. */
class Rollback extends Error {
  constructor(readonly value: string | null) {
    super('rollback');
  }
}
