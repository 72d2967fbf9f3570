import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessionsCommand } from '../../src/cli/commands/sessions.js';
import { backfillSessionErrors } from '../../src/store/migrations/0010-session-errors.js';
import { describeEachDatabase } from '../support/databases.js';
import { recordInterceptions } from '../support/record-fixtures.js';
import { runCommand as run } from '../support/run-command.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { at, getJson } from './world.js';

interface Session {
  id: string;
  errors: number;
  threads: number;
}

describeEachDatabase('errors of a session', (getStore) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ store: getStore() });
    const alice = await server.createUser('alice');
    const session = { initiatorId: alice.id, clientSessionId: 'failing' };
    // One interception per batch, then three in one batch: the count adds up across batches.
    await recordInterceptions(getStore(), [
      { ...session, startedAt: at(0, 9) },
      { ...session, startedAt: at(0, 10), end: { upstreamStatus: 429, error: 'rate limited' } },
    ]);
    await recordInterceptions(
      getStore(),
      [
        // Failures without an error text count too: the error type is the rule.
        { ...session, startedAt: at(0, 11), end: { upstreamStatus: 503, error: null } },
        { ...session, startedAt: at(0, 12), end: { metadata: { client_disconnected: true } } },
        { ...session, startedAt: at(0, 13), end: { upstreamStatus: 200, error: 'stream ended early' } },
        // Never ended: no error type yet, counted nowhere.
        { ...session, startedAt: at(0, 14), durationMs: null },
      ],
      { oneBatch: true },
    );
    await recordInterceptions(getStore(), [
      { initiatorId: alice.id, clientSessionId: 'fine', startedAt: at(1, 9) },
    ]);
  });
  afterAll(() => server.close());

  const sessions = async () => {
    const { status, body } = await getJson<{ sessions: Session[] }>(server, '/api/v2/aibridge/sessions');
    expect(status).toBe(200);
    return Object.fromEntries(body.sessions.map((session) => [session.id, session.errors]));
  };

  it('counts the failed interceptions of each session in the sessions list', async () => {
    expect(await sessions()).toEqual({ failing: 4, fine: 0 });
  });

  it('heads the session page with the same count', async () => {
    const { body } = await getJson<Session>(server, '/api/v2/aibridge/sessions/failing');
    expect(body.errors).toBe(4);
    const fine = await getJson<Session>(server, '/api/v2/aibridge/sessions/fine');
    expect(fine.body.errors).toBe(0);
  });

  it('shows the count in the CLI sessions list', async () => {
    const { stdout } = await run(sessionsCommand(), [
      'list',
      '--url',
      server.url,
      '--token',
      server.adminToken,
    ]);
    const [heading, ...rows] = stdout.trimEnd().split('\n');
    const columns = heading!.split(/\s{2,}/);
    const errorsAt = columns.indexOf('ERRORS');
    expect(errorsAt).toBeGreaterThan(-1);
    const byId = Object.fromEntries(
      rows.map((row) => {
        const cells = row.split(/\s{2,}/);
        return [cells.at(-1), cells[errorsAt]];
      }),
    );
    expect(byId).toEqual({ failing: '4', fine: '0' });
  });

  it('back-fills the same counts from the interceptions as the write path keeps', async () => {
    const db = getStore().db;
    const before = await sessions();
    await sql`UPDATE aibridge_sessions SET errors = 0`.execute(db);
    await sql.raw(backfillSessionErrors).execute(db);
    expect(await sessions()).toEqual(before);
    const counted = await sql<{ errors: string }>`SELECT count(*) AS errors FROM aibridge_interceptions
      WHERE session_key = 'failing' AND error_type IS NOT NULL`.execute(db);
    expect(Number(counted.rows[0]?.errors)).toBe(before.failing);
  });
});
