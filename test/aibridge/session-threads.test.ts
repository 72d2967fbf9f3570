import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { recordInterceptions } from '../support/record-fixtures.js';
import { startTestServer } from '../support/server.js';
import { at, buildWorld, getJson, type World } from './world.js';

interface Thread {
  id: string;
  [key: string]: unknown;
}
interface SessionThreads {
  id: string;
  threads: Thread[];
  page_started_at: string | null;
  page_ended_at: string | null;
  [key: string]: unknown;
}
interface ErrorBody {
  message: string;
  validations?: { field: string; detail: string }[];
}

describeEachDatabase('GET /api/v2/aibridge/sessions/{session_id}', (getStore) => {
  let world: World;
  let longSession: string[];
  const show = (path: string, token?: string | null) =>
    getJson<SessionThreads>(world.server, `/api/v2/aibridge/sessions/${path}`, token);
  const threadIds = (body: SessionThreads) => body.threads.map((thread) => thread.id);
  const fails = async (path: string) => {
    const { status, body } = await getJson<ErrorBody>(world.server, `/api/v2/aibridge/sessions/${path}`);
    expect(status).toBe(400);
    return (body.validations ?? []).map((validation) => validation.field).sort();
  };

  beforeAll(async () => {
    world = await buildWorld(await startTestServer({ store: getStore() }), getStore());
    // 60 single-interception threads in one session: more than a default page.
    longSession = await recordInterceptions(
      getStore(),
      Array.from({ length: 60 }, (_, index) => ({
        initiatorId: world.users.bob.id,
        clientSessionId: 'long-run',
        startedAt: at(3, 0, index),
        prompt: `prompt ${index}`,
        usages: [{ input: 1, output: 1 }],
      })),
      { oneBatch: true },
    );
  });
  afterAll(() => world.server.close());

  it('returns the session with its threads, agentic actions and summed token usage', async () => {
    const { status, body } = await show('cc-session-1');
    expect(status).toBe(200);
    const toolCall = (tool: string, interception: string, extra: Record<string, unknown>) => ({
      id: expect.any(String),
      interception_id: interception,
      provider_response_id: expect.stringMatching(/^msg_/),
      tool,
      input: expect.any(String),
      metadata: {},
      created_at: expect.any(String),
      ...extra,
    });
    expect(body).toEqual({
      id: 'cc-session-1',
      initiator: { id: world.users.alice.id, username: 'alice', name: '', avatar_url: '' },
      providers: ['anthropic'],
      models: ['claude-opus-4', 'claude-sonnet-4'],
      client: 'Claude Code',
      metadata: { user_agent: 'claude-cli/1.0' },
      started_at: '2025-03-10T10:00:00.000Z',
      ended_at: '2025-03-10T11:00:01.000Z',
      errors: 0,
      page_started_at: '2025-03-10T10:00:00.000Z',
      page_ended_at: '2025-03-10T11:00:01.000Z',
      threads: [
        {
          id: world.ids.a1,
          prompt: 'fix the bug',
          model: 'claude-sonnet-4',
          provider: 'anthropic',
          credential_kind: 'centralized',
          credential_hint: 'sk-a...wxyz',
          started_at: '2025-03-10T10:00:00.000Z',
          ended_at: '2025-03-10T10:02:01.000Z',
          token_usage: {
            input_tokens: 600,
            output_tokens: 60,
            cache_read_input_tokens: 5,
            cache_write_input_tokens: 1,
            metadata: { 'reasoning.tokens': 7 },
          },
          error_type: null,
          error_message: null,
          upstream_status: 200,
          agentic_actions: [
            {
              model: 'claude-sonnet-4',
              thinking: [{ text: 'look at the file first' }],
              token_usage: {
                input_tokens: 100,
                output_tokens: 10,
                cache_read_input_tokens: 5,
                cache_write_input_tokens: 1,
                metadata: { 'reasoning.tokens': 3 },
              },
              tool_calls: [toolCall('Read', world.ids.a1, { injected: false, server_url: null })],
            },
            {
              model: 'claude-sonnet-4',
              thinking: [],
              token_usage: {
                input_tokens: 200,
                output_tokens: 20,
                cache_read_input_tokens: 0,
                cache_write_input_tokens: 0,
                metadata: { 'reasoning.tokens': 4 },
              },
              tool_calls: [
                toolCall('bmcp_git_diff', world.ids.a2, {
                  injected: true,
                  server_url: 'http://mcp.test/mcp',
                }),
              ],
            },
          ],
        },
        {
          id: world.ids.b1,
          prompt: 'run the tests',
          model: 'claude-opus-4',
          provider: 'anthropic',
          credential_kind: 'byok',
          credential_hint: 'sk-b...1234',
          started_at: '2025-03-10T11:00:00.000Z',
          ended_at: '2025-03-10T11:00:01.000Z',
          token_usage: {
            input_tokens: 4,
            output_tokens: 6,
            cache_read_input_tokens: 0,
            cache_write_input_tokens: 0,
            metadata: {},
          },
          error_type: null,
          error_message: null,
          upstream_status: 200,
          agentic_actions: [],
        },
      ],
      token_usage_summary: {
        input_tokens: 604,
        output_tokens: 66,
        cache_read_input_tokens: 5,
        cache_write_input_tokens: 1,
        metadata: { 'reasoning.tokens': 7 },
      },
    });
  });

  it('sums nested numeric metadata alike for threads and the session summary', async () => {
    const metadata = JSON.parse(
      '{"a": {"b": {"c": 1.5}}, "n": 1, "text": "x", "list": [1, 2], "__proto__": {"p": 2}}',
    );
    const [root] = await recordInterceptions(getStore(), [
      {
        initiatorId: world.users.bob.id,
        clientSessionId: 'meta-1',
        startedAt: at(5, 0),
        usages: [{ input: 1, output: 1, metadata }],
      },
    ]);
    await recordInterceptions(getStore(), [
      {
        initiatorId: world.users.bob.id,
        clientSessionId: 'meta-1',
        threadParentId: root!,
        threadRootId: root!,
        startedAt: at(5, 0, 1),
        usages: [{ input: 1, output: 1, metadata }],
      },
    ]);
    const { body } = await show('meta-1');
    const expected = { 'a.b.c': 3, n: 2, '__proto__.p': 4 };
    expect((body.threads[0]!.token_usage as { metadata: unknown }).metadata).toEqual(expected);
    expect((body.token_usage_summary as { metadata: unknown }).metadata).toEqual(expected);
  });

  it('finds a session by the id of one of its interceptions', async () => {
    const byChild = await show(world.ids.a3);
    expect(byChild.status).toBe(200);
    expect(byChild.body.id).toBe('cc-session-1');
    const single = await show(world.ids.x1);
    expect(single.body.id).toBe(world.ids.x1);
    expect(single.body.threads.map((thread) => thread.prompt)).toEqual(['explain']);
  });

  it('pages threads oldest first: default 50, limit, after_id and before_id', async () => {
    const first = await show('long-run');
    expect(threadIds(first.body)).toEqual(longSession.slice(0, 50));
    expect(first.body.page_started_at).toBe(at(3, 0, 0).toISOString());
    expect(first.body.page_ended_at).toBe(new Date(at(3, 0, 49).getTime() + 1000).toISOString());
    // The summary covers the whole session, not the page.
    expect(first.body.token_usage_summary).toMatchObject({ input_tokens: 60, output_tokens: 60 });
    const after = await show(`long-run?after_id=${longSession[49]}`);
    expect(threadIds(after.body)).toEqual(longSession.slice(50));
    const limited = await show(`long-run?limit=5&after_id=${longSession[9]}`);
    expect(threadIds(limited.body)).toEqual(longSession.slice(10, 15));
    const before = await show(`long-run?limit=5&before_id=${longSession[9]}`);
    expect(threadIds(before.body)).toEqual(longSession.slice(4, 9));
    const start = await show(`long-run?limit=5&before_id=${longSession[2]}`);
    expect(threadIds(start.body)).toEqual(longSession.slice(0, 2));
    const end = await show(`long-run?after_id=${longSession[59]}`);
    expect(end.body).toMatchObject({ threads: [], page_started_at: null, page_ended_at: null });
    expect((await show('long-run?limit=200')).body.threads).toHaveLength(60);
  });

  it('uses the thread of a cursor that names a non-root interception', async () => {
    const { body } = await show(`cc-session-1?after_id=${world.ids.a2}`);
    expect(threadIds(body)).toEqual([world.ids.b1]);
  });

  it('refuses bad limits, bad or foreign cursors and both cursors at once', async () => {
    expect(await fails('long-run?limit=0')).toEqual(['limit']);
    expect(await fails('long-run?limit=201')).toEqual(['limit']);
    expect(await fails('long-run?limit=x')).toEqual(['limit']);
    expect(await fails('long-run?after_id=nope')).toEqual(['after_id']);
    expect(await fails('long-run?before_id=nope')).toEqual(['before_id']);
    expect(await fails(`long-run?after_id=${longSession[1]}&before_id=${longSession[3]}`)).toEqual([
      'before_id',
    ]);
    expect(await fails(`long-run?after_id=${world.ids.a1}`)).toEqual(['after_id']);
    expect(await fails(`cc-session-1?before_id=${world.ids.open}`)).toEqual(['before_id']);
  });

  it('answers 404 for an unknown session or an interception that has not ended, 401 without a token', async () => {
    expect((await show('no-such-session')).status).toBe(404);
    expect((await show('01890000-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await show(world.ids.open)).status).toBe(404);
    expect((await show('cc-session-1', null)).status).toBe(401);
  });
});
