import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { startTestServer } from '../support/server.js';
import { at, buildWorld, getJson, type World } from './world.js';

interface Interception {
  id: string;
  started_at: string;
  [key: string]: unknown;
}
interface Page {
  count: number;
  results: Interception[];
}
interface ErrorBody {
  message: string;
  validations?: { field: string; detail: string }[];
}

describeEachDatabase('GET /api/v2/aibridge/interceptions', (getStore) => {
  let world: World;
  const list = (query = '', token?: string | null) =>
    getJson<Page>(world.server, `/api/v2/aibridge/interceptions${query}`, token);
  const fails = async (query: string) => {
    const { status, body } = await getJson<ErrorBody>(world.server, `/api/v2/aibridge/interceptions${query}`);
    expect(status).toBe(400);
    return (body.validations ?? []).map((validation) => validation.field);
  };

  beforeAll(async () => {
    world = await buildWorld(await startTestServer({ store: getStore() }), getStore());
  });
  afterAll(() => world.server.close());

  it('lists only ended interceptions, newest first, with count', async () => {
    const { status, body } = await list();
    expect(status).toBe(200);
    const { a1, a2, a3, b1, x1, bob1, bob2 } = world.ids;
    expect(body.results.map((row) => row.id)).toEqual([bob1, x1, b1, a3, a2, a1, bob2]);
    expect(body.count).toBe(7);
  });

  it('returns every field of the seed with its children', async () => {
    const { body } = await list();
    const a1 = body.results.find((row) => row.id === world.ids.a1);
    expect(a1).toEqual({
      id: world.ids.a1,
      api_key_id: 'TESTKEY001',
      initiator: { id: world.users.alice.id, username: 'alice', name: '', avatar_url: '' },
      provider: 'anthropic',
      provider_name: 'anthropic',
      model: 'claude-sonnet-4',
      client: 'Claude Code',
      metadata: { user_agent: 'claude-cli/1.0' },
      started_at: '2025-03-10T10:00:00.000Z',
      ended_at: '2025-03-10T10:00:01.000Z',
      error_type: null,
      error_message: null,
      upstream_status: 200,
      token_usages: [
        {
          id: expect.any(String),
          interception_id: world.ids.a1,
          provider_response_id: expect.stringMatching(/^msg_/),
          input_tokens: 100,
          output_tokens: 10,
          cache_read_input_tokens: 5,
          cache_write_input_tokens: 1,
          metadata: { reasoning: { tokens: 3 }, tier: 'x' },
          created_at: '2025-03-10T10:00:00.020Z',
        },
      ],
      user_prompts: [
        {
          id: expect.any(String),
          interception_id: world.ids.a1,
          provider_response_id: expect.stringMatching(/^msg_/),
          prompt: 'fix the bug',
          metadata: {},
          created_at: '2025-03-10T10:00:00.001Z',
        },
      ],
      tool_usages: [
        {
          id: expect.any(String),
          interception_id: world.ids.a1,
          provider_response_id: expect.stringMatching(/^msg_/),
          tool: 'Read',
          input: '{"path":"a.ts"}',
          injected: false,
          server_url: null,
          invocation_error: null,
          metadata: {},
          created_at: '2025-03-10T10:00:00.010Z',
        },
      ],
    });
    const bob2 = body.results.find((row) => row.id === world.ids.bob2);
    expect(bob2).toMatchObject({ token_usages: [], user_prompts: [], tool_usages: [] });
  });

  it('filters by each search key, and counts the filtered set', async () => {
    const { a1, a2, a3, b1, x1, bob1, bob2 } = world.ids;
    const cases: [string, string[]][] = [
      ['initiator:alice', [x1, b1, a3, a2, a1]],
      ['ALICE', [x1, b1, a3, a2, a1]],
      [`initiator:${world.users.bob.id}`, [bob1, bob2]],
      ['initiator:me', []],
      ['provider:openai', [x1, bob2]],
      ['provider_name:anthropic-eu', [bob1]],
      ['model:claude-opus-4', [b1]],
      ['started_after:2025-03-10T10:01:00Z', [bob1, x1, b1, a3, a2]],
      ['started_before:2025-03-10T10:01:00Z', [a1, bob2]],
      ['started_after:2025-03-10T00:00:00Z started_before:2025-03-12T00:00:00Z', [x1, b1, a3, a2, a1]],
      ['started_after:2025-03-10T11:00:00+01:00 started_before:2025-03-11T10:00:00+01:00', [b1, a3, a2, a1]],
      ['initiator:alice model:claude-sonnet-4 provider:anthropic', [a3, a2, a1]],
    ];
    for (const [q, expected] of cases) {
      const { status, body } = await list(`?q=${encodeURIComponent(q)}`);
      expect(status, q).toBe(200);
      expect(
        body.results.map((row) => row.id),
        q,
      ).toEqual(expected);
      expect(body.count, q).toBe(expected.length);
    }
  });

  it('filters by client and credential kind, the count agreeing with the page', async () => {
    const { a1, a2, a3, b1, x1, bob1, bob2 } = world.ids;
    const cases: [string, string[]][] = [
      ['client:Codex', [x1]],
      ['client:"Claude Code"', [b1, a3, a2, a1]],
      ['credential_kind:byok', [bob1, b1]],
      ['credential_kind:centralized', [x1, a3, a2, a1, bob2]],
      ['client:"Claude Code" credential_kind:byok', [b1]],
      ['client:Zed started_after:2025-03-12T00:00:00Z', [bob1]],
      ['credential_kind:byok started_after:2025-03-10T00:00:00Z started_before:2025-03-12T00:00:00Z', [b1]],
    ];
    for (const [q, expected] of cases) {
      const { status, body } = await list(`?q=${encodeURIComponent(q)}`);
      expect(status, q).toBe(200);
      expect(
        body.results.map((row) => row.id),
        q,
      ).toEqual(expected);
      expect(body.count, q).toBe(expected.length);
    }
    expect(await fails('?q=credential_kind:borrowed')).toEqual(['credential_kind']);
  });

  it('pages with limit and offset, and with after_id cursors', async () => {
    const all = (await list()).body.results.map((row) => row.id);
    const first = await list('?limit=3');
    expect(first.body.results.map((row) => row.id)).toEqual(all.slice(0, 3));
    expect(first.body.count).toBe(7);
    const second = await list('?limit=3&offset=3');
    expect(second.body.results.map((row) => row.id)).toEqual(all.slice(3, 6));
    const followed: string[] = [];
    let cursor = '';
    for (;;) {
      const page = await list(`?limit=2${cursor ? `&after_id=${cursor}` : ''}`);
      followed.push(...page.body.results.map((row) => row.id));
      expect(page.body.count).toBe(7);
      if (page.body.results.length < 2) break;
      cursor = page.body.results.at(-1)!.id;
    }
    expect(followed).toEqual(all);
    expect((await list(`?after_id=${all.at(-1)}`)).body.results).toEqual([]);
    expect((await list('?offset=100')).body).toEqual({ count: 7, results: [] });
  });

  it('accepts a cursor that the filter excludes and continues after its position', async () => {
    const { body } = await list(`?q=initiator:bob&after_id=${world.ids.x1}`);
    expect(body.results.map((row) => row.id)).toEqual([world.ids.bob2]);
  });

  it('accepts the maximum limit and defaults to 100', async () => {
    expect((await list('?limit=1000')).status).toBe(200);
    expect((await list('?limit=')).status).toBe(200);
  });

  it('refuses bad limits, offsets and cursors, naming each field', async () => {
    expect(await fails('?limit=0')).toEqual(['limit']);
    expect(await fails('?limit=1001')).toEqual(['limit']);
    expect(await fails('?limit=-5')).toEqual(['limit']);
    expect(await fails('?limit=ten')).toEqual(['limit']);
    expect(await fails('?limit=1&limit=2')).toEqual(['limit']);
    expect(await fails('?offset=-1')).toEqual(['offset']);
    expect(await fails('?offset=1.5')).toEqual(['offset']);
    expect(await fails('?after_id=nope')).toEqual(['after_id']);
    expect(await fails(`?after_id=${world.ids.a1}&offset=1`)).toEqual(['offset']);
    expect(await fails('?after_id=01890000-0000-7000-8000-000000000000')).toEqual(['after_id']);
    expect(await fails(`?after_id=${world.ids.open}`)).toEqual(['after_id']);
  });

  it('refuses a bad search with one validation per problem', async () => {
    const q = encodeURIComponent(
      'initiator:nobody provider_name:nope session_id:zed model:a model:b started_after:yesterday',
    );
    expect((await fails(`?q=${q}&limit=0`)).sort()).toEqual([
      'initiator',
      'limit',
      'model',
      'provider_name',
      'session_id',
      'started_after',
    ]);
    const order = encodeURIComponent(
      'started_after:2025-03-11T00:00:00Z started_before:2025-03-10T00:00:00Z',
    );
    expect(await fails(`?q=${order}`)).toEqual(['started_before']);
    expect(await fails(`?q=${encodeURIComponent('model:"open')}`)).toEqual(['q']);
  });

  it('counts time windows that cut days at both ends, and far in the future', async () => {
    const window = `started_after:${at(0, 10, 1).toISOString()} started_before:${at(2, 8, 0).toISOString()}`;
    const { body } = await list(`?q=${encodeURIComponent(window)}`);
    expect(body.count).toBe(4);
    const future = await list(`?q=${encodeURIComponent('started_after:9999-12-31T23:59:59Z')}`);
    expect(future.body).toEqual({ count: 0, results: [] });
  });

  it('answers 401 without a valid token', async () => {
    expect((await list('', null)).status).toBe(401);
    expect((await list('', 'AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB')).status).toBe(401);
  });
});
