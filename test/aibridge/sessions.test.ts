import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { startTestServer } from '../support/server.js';
import { buildWorld, getJson, type World } from './world.js';

interface Session {
  id: string;
  initiator: { username: string };
  [key: string]: unknown;
}
interface Page {
  count: number;
  sessions: Session[];
}
interface ErrorBody {
  validations?: { field: string; detail: string }[];
}

describeEachDatabase('GET /api/v2/aibridge/sessions', (getStore) => {
  let world: World;
  const list = (query = '') => getJson<Page>(world.server, `/api/v2/aibridge/sessions${query}`);
  const ids = (page: Page) => page.sessions.map((session) => session.id);
  const fails = async (query: string) => {
    const { status, body } = await getJson<ErrorBody>(world.server, `/api/v2/aibridge/sessions${query}`);
    expect(status).toBe(400);
    return (body.validations ?? []).map((validation) => validation.field).sort();
  };

  beforeAll(async () => {
    world = await buildWorld(await startTestServer({ store: getStore() }), getStore());
  });
  afterAll(() => world.server.close());

  it('lists one session per session key and initiator, most recently active first', async () => {
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(ids(body)).toEqual(['zed-1', world.ids.x1, 'cc-session-1', world.ids.bob2]);
    expect(body.count).toBe(4);
  });

  it('summarises a session from its ended interceptions only', async () => {
    const { body } = await list();
    const session = body.sessions.find((row) => row.id === 'cc-session-1');
    expect(session).toEqual({
      id: 'cc-session-1',
      initiator: { id: world.users.alice.id, username: 'alice', name: '', avatar_url: '' },
      providers: ['anthropic'],
      models: ['claude-opus-4', 'claude-sonnet-4'],
      client: 'Claude Code',
      metadata: { user_agent: 'claude-cli/1.0' },
      started_at: '2025-03-10T10:00:00.000Z',
      ended_at: '2025-03-10T11:00:01.000Z',
      threads: 2,
      errors: 0,
      last_prompt: 'run the tests',
      last_active_at: '2025-03-10T11:00:00.001Z',
      token_usage_summary: {
        input_tokens: 604,
        output_tokens: 66,
        cache_read_input_tokens: 5,
        cache_write_input_tokens: 1,
      },
    });
  });

  it('shows null as the last prompt of a session without prompts, active since its start', async () => {
    const { body } = await list();
    const session = body.sessions.find((row) => row.id === world.ids.bob2);
    expect(session).toMatchObject({
      last_prompt: null,
      last_active_at: '2025-03-09T23:30:00.000Z',
      threads: 1,
    });
  });

  it('filters by each search key and counts the filtered set', async () => {
    const { x1, bob2 } = world.ids;
    const cases: [string, string[]][] = [
      ['initiator:alice', [x1, 'cc-session-1']],
      ['initiator:BOB', ['zed-1', bob2]],
      ['provider:openai', [x1, bob2]],
      ['provider_name:anthropic-eu', ['zed-1']],
      ['model:claude-opus-4', ['cc-session-1']],
      ['client:"Claude Code"', ['cc-session-1']],
      ['session_id:zed-1', ['zed-1']],
      ['started_after:2025-03-10T00:00:00Z', ['zed-1', x1, 'cc-session-1']],
      ['started_before:2025-03-10T10:00:00Z', [bob2]],
      ['started_after:2025-03-10T10:00:00Z started_before:2025-03-11T09:00:00Z', ['cc-session-1']],
      ['Initiator:alice Model:gpt-5', [x1]],
    ];
    for (const [q, expected] of cases) {
      const { status, body } = await list(`?q=${encodeURIComponent(q)}`);
      expect(status, q).toBe(200);
      expect(ids(body), q).toEqual(expected);
      expect(body.count, q).toBe(expected.length);
    }
  });

  it('filters by the credential kind of any interception of a session, the count agreeing', async () => {
    const { x1, bob2 } = world.ids;
    const cases: [string, string[]][] = [
      ['credential_kind:byok', ['zed-1', 'cc-session-1']],
      ['credential_kind:centralized', [x1, 'cc-session-1', bob2]],
      ['credential_kind:byok initiator:bob', ['zed-1']],
    ];
    for (const [q, expected] of cases) {
      const { status, body } = await list(`?q=${encodeURIComponent(q)}`);
      expect(status, q).toBe(200);
      expect(ids(body), q).toEqual(expected);
      expect(body.count, q).toBe(expected.length);
    }
    expect(await fails('?q=credential_kind:other')).toEqual(['credential_kind']);
  });

  it('pages with limit and offset, and with after_session_id cursors', async () => {
    const all = ids((await list()).body);
    expect(ids((await list('?limit=2')).body)).toEqual(all.slice(0, 2));
    expect(ids((await list('?limit=2&offset=1')).body)).toEqual(all.slice(1, 3));
    const followed: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await list(`?limit=1${cursor ? `&after_session_id=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.body.count).toBe(4);
      if (page.body.sessions.length === 0) break;
      followed.push(...ids(page.body));
      cursor = page.body.sessions.at(-1)!.id;
    }
    expect(followed).toEqual(all);
  });

  it('refuses bare words, bad limits, mixed paging and unknown cursors, naming each field', async () => {
    expect(await fails('?q=alice')).toEqual(['q']);
    expect(await fails('?limit=0')).toEqual(['limit']);
    expect(await fails('?limit=1001')).toEqual(['limit']);
    expect(await fails('?offset=x')).toEqual(['offset']);
    expect(await fails('?after_session_id=zed-1&offset=1')).toEqual(['offset']);
    expect(await fails('?after_session_id=nope')).toEqual(['after_session_id']);
    const q = encodeURIComponent(
      'initiator:nobody provider_name:nope client:a client:b session:x started_before:no',
    );
    expect(await fails(`?q=${q}`)).toEqual([
      'client',
      'initiator',
      'provider_name',
      'session',
      'started_before',
    ]);
    const order = encodeURIComponent(
      'started_after:2025-03-11T00:00:00Z started_before:2025-03-11T00:00:00Z',
    );
    expect(await fails(`?q=${order}`)).toEqual(['started_before']);
  });

  it('answers 401 without a token', async () => {
    expect((await getJson(world.server, '/api/v2/aibridge/sessions', null)).status).toBe(401);
  });
});
