/**
 * Codex's Responses WebSocket transport through the bridge, driven by a `ws` client shaped exactly like
 * Codex 0.171 (its captured upgrade headers and messages, `test/fixtures/agents/codex-websocket-*.json`):
 * one connection carrying the warm-up, the prompt and the tool output, then a drop without a close frame.
 * What the bridge recorded is read back through the query API.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { describeEachDatabase } from '../support/databases.js';
import { CodexSocket, captured, codexSession, completedResponse, upgrade } from './codex-socket.js';
import { type ProxyHarness, readEndedInterception, startProxyHarness } from './harness.js';

interface ApiInterception {
  id: string;
  client: string;
  started_at: string;
  metadata: Record<string, unknown>;
  user_prompts: { prompt: string }[];
  token_usages: { input_tokens: number; output_tokens: number }[];
  tool_usages: { tool: string; input: string }[];
}

describeEachDatabase('Codex over the Responses WebSocket transport', (getStore) => {
  let harness: ProxyHarness;
  let url: string;
  beforeAll(async () => {
    harness = await startProxyHarness(getStore());
    url = `${harness.providerUrl('openai').replace(/^http/, 'ws')}/v1/responses`;
  });
  afterAll(async () => {
    await harness?.close();
  });

  const api = async <T>(path: string): Promise<T> => {
    const response = await harness.server.api(path);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  /** The interceptions of one connection, oldest first, once all `count` are recorded. */
  const interceptionsOf = async (connectionId: string, count: number) => {
    await harness.server.context.recorder.drain();
    const page = await api<{ results: ApiInterception[] }>(
      `/api/v2/aibridge/interceptions?q=${encodeURIComponent(`initiator:${harness.member.username}`)}&limit=1000`,
    );
    const rows = page.results
      .filter((row) => row.metadata.websocket_connection_id === connectionId)
      .sort((a, b) => a.started_at.localeCompare(b.started_at));
    expect(rows).toHaveLength(count);
    return rows;
  };
  const lastFakeSocket = () => {
    const exchange = harness.fake.sockets.exchanges.at(-1);
    if (exchange === undefined) throw new Error('the fake provider accepted no socket');
    return exchange;
  };

  it('relays a whole Codex run (warm-up, prompt, tool output, dropped connection) and records three interceptions', async () => {
    const codex = await CodexSocket.open(url, harness.member.token);
    // The upstream's upgrade headers Codex reads reach it.
    expect(codex.upgradeHeaders).toMatchObject({
      'x-reasoning-included': 'true',
      'openai-model': 'gpt-5.5-codex',
      'x-models-etag': 'fake-models-etag',
    });
    const connectionId = String(codex.upgradeHeaders['x-aibridge-connection-id']);
    const upstream = lastFakeSocket();
    // Upstream the provider's key replaces the bridge token; Codex's own headers go along.
    expect(upstream.headers.authorization).toBe('Bearer sk-central-openai-0123456789abcd');
    expect(upstream.headers).toMatchObject({
      'session-id': codexSession,
      'openai-beta': 'responses_websockets=2026-02-06',
      'x-codex-turn-metadata': upgrade.headers['x-codex-turn-metadata'],
    });

    const warmupEvents = await codex.request(captured('codex-websocket-1-warmup.json'));
    const warmupId = completedResponse(warmupEvents)?.id;
    expect(warmupId).toBe('resp_00Warmup');

    harness.fake.scriptSocket(
      { kind: 'fixture', fixture: 'openai-responses/stream-codex-exec-command.sse' },
      { kind: 'fixture', fixture: 'openai-responses/stream-text.sse' },
    );
    const promptEvents = await codex.request({
      ...captured('codex-websocket-2-prompt.json'),
      previous_response_id: warmupId,
    });
    const call = promptEvents
      .map((event) => event.item as { type?: string; call_id?: string } | undefined)
      .find((item) => item?.type === 'function_call' && item.call_id !== undefined);
    expect(call?.call_id).toBe('call_resp_cap_1');

    const toolMessage = captured('codex-websocket-3-tool-output.json');
    const [output] = toolMessage.input as Record<string, unknown>[];
    const toolEvents = await codex.request({
      ...toolMessage,
      previous_response_id: completedResponse(promptEvents)?.id,
      input: [{ ...output, call_id: call?.call_id }],
    });
    expect(toolEvents.at(-1)?.type).toBe('response.completed');

    // Both ways, every message went across unchanged and in order.
    expect(upstream.received).toEqual(codex.sent);
    expect(codex.received).toEqual(upstream.sent);
    expect(codex.sent).toHaveLength(3);

    // Codex drops TCP without a close frame once its last response completed.
    codex.socket.terminate();
    await upstream.closed;

    const [warmup, prompt, tool] = await interceptionsOf(connectionId, 3);
    for (const row of [warmup, prompt, tool]) {
      expect(row?.client).toBe('Codex');
      expect(row?.metadata.client_disconnected).toBeUndefined();
      expect(row?.metadata.transport).toBe('websocket');
    }
    expect(warmup).toMatchObject({
      metadata: { warmup: true },
      user_prompts: [],
      tool_usages: [],
      token_usages: [{ input_tokens: 0, output_tokens: 0 }],
    });
    expect(prompt).toMatchObject({
      user_prompts: [{ prompt: 'Run echo hello in the shell' }],
      tool_usages: [{ tool: 'exec_command', input: '{"cmd":"echo hello"}' }],
      token_usages: [{ input_tokens: 2120, output_tokens: 24 }],
    });
    expect(prompt?.metadata.warmup).toBeUndefined();
    expect(tool?.user_prompts).toEqual([]);

    const stored = await Promise.all(
      [warmup, prompt, tool].map((row) => readEndedInterception(getStore(), row?.id ?? '')),
    );
    for (const { interception } of stored) {
      expect(interception).toMatchObject({
        client_session_id: codexSession,
        upstream_status: 200,
        error: null,
      });
    }
    expect(stored[0]?.interception).toMatchObject({ thread_parent_id: null, thread_root_id: null });
    expect(stored[1]?.interception).toMatchObject({ thread_parent_id: null, thread_root_id: null });
    expect(stored[2]?.interception).toMatchObject({
      thread_parent_id: prompt?.id,
      thread_root_id: prompt?.id,
    });

    // One session; the warm-up is no thread: one thread, the user's prompt.
    const sessions = await api<{ sessions: { id: string; threads: number; last_prompt: string | null }[] }>(
      `/api/v2/aibridge/sessions?q=${encodeURIComponent(`initiator:${harness.member.username}`)}`,
    );
    expect(sessions.sessions.filter((session) => session.id === codexSession)).toMatchObject([
      { threads: 1, last_prompt: 'Run echo hello in the shell' },
    ]);
    const threads = await api<{ threads: { id: string; prompt: string | null }[] }>(
      `/api/v2/aibridge/sessions/${codexSession}`,
    );
    expect(threads.threads.map((thread) => [thread.id, thread.prompt])).toEqual([
      [prompt?.id, 'Run echo hello in the shell'],
    ]);
  });

  /** Opens a Codex socket and sends the captured prompt, after scripting the fake's answer to it. */
  const openAndPrompt = async (scenario: Parameters<ProxyHarness['fake']['scriptSocket']>[0]) => {
    harness.fake.scriptSocket(scenario);
    const codex = await CodexSocket.open(url, harness.member.token);
    const connectionId = String(codex.upgradeHeaders['x-aibridge-connection-id']);
    return { codex, connectionId, upstream: lastFakeSocket() };
  };

  it('records a close in the middle of a response as a client disconnect', async () => {
    const { codex, connectionId, upstream } = await openAndPrompt({
      kind: 'stall',
      fixture: 'openai-responses/stream-codex-exec-command.sse',
      afterEvents: 3,
    });
    codex.send(captured('codex-websocket-2-prompt.json'));
    await codex.waitFor((events) => events.length === 3, 0);
    codex.socket.close(1000);
    // The bridge gives up the upstream request the client left.
    await upstream.closed;
    const [row] = await interceptionsOf(connectionId, 1);
    expect(row).toMatchObject({
      metadata: { client_disconnected: true },
      user_prompts: [{ prompt: 'Run echo hello in the shell' }],
      token_usages: [],
    });
    const stored = await readEndedInterception(getStore(), row?.id ?? '');
    expect(stored.interception?.error).toMatch(/client disconnected/);
  });

  it('refuses an upgrade with a bad token over HTTP, in OpenAI error shape, before upgrading', async () => {
    const before = harness.fake.sockets.exchanges.length;
    for (const token of ['not-a-token', null]) {
      const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
      const refusal = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const socket = new WebSocket(url, { headers });
        socket.once('open', () => reject(new Error('the bridge upgraded an unauthenticated request')));
        socket.once('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        socket.once('error', reject);
      });
      expect(refusal.status).toBe(401);
      expect(JSON.parse(refusal.body)).toMatchObject({
        error: { type: 'authentication_error', code: 'invalid_api_key' },
      });
    }
    expect(harness.fake.sockets.exchanges.length).toBe(before);
  });

  it("sends a user's own key upstream when the bridge token comes in X-AIBridge-Token", async () => {
    const ownKey = 'sk-own-user-key-00112233445566';
    const codex = await CodexSocket.open(url, ownKey, { 'x-aibridge-token': harness.member.token });
    const connectionId = String(codex.upgradeHeaders['x-aibridge-connection-id']);
    const upstream = lastFakeSocket();
    expect(upstream.headers.authorization).toBe(`Bearer ${ownKey}`);
    expect(upstream.headers['x-aibridge-token']).toBeUndefined();
    const events = await codex.request(captured('codex-websocket-2-prompt.json'));
    expect(events.at(-1)?.type).toBe('response.completed');
    codex.socket.terminate();
    const [row] = await interceptionsOf(connectionId, 1);
    const stored = await readEndedInterception(getStore(), row?.id ?? '');
    expect(stored.interception).toMatchObject({ credential_kind: 'byok', credential_hint: 'sk-o...5566' });
  });

  it('refuses upgrades of other paths and providers as the HTTP routes would', async () => {
    // The request line is sent as written: a WebSocket client would resolve the dot segments first.
    const statusOf = async (path: string) => {
      const socket = connect(Number(new URL(harness.server.url).port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: bridge\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          `Authorization: Bearer ${harness.member.token}\r\n\r\n`,
      );
      const [head] = (await once(socket, 'data')) as [Buffer];
      socket.destroy();
      return Number(head.toString('latin1').split(' ')[1]);
    };
    const before = harness.fake.sockets.exchanges.length;
    expect(await statusOf('/api/v2/aibridge/openai/v1/chat/completions')).toBe(404);
    expect(await statusOf('/api/v2/aibridge/openai/v1/./responses')).toBe(400);
    expect(await statusOf('/api/v2/aibridge/openai/v1/x/%2e%2e/responses')).toBe(400);
    expect(await statusOf('/api/v2/aibridge/anthropic/v1/messages')).toBe(404);
    expect(await statusOf('/api/v2/aibridge/nope/v1/responses')).toBe(404);
    // Planned on the path the provider receives, as on HTTP: without `/v1` it is the same endpoint.
    expect(await statusOf('/api/v2/aibridge/openai/v1/responses')).toBe(101);
    expect(await statusOf('/api/v2/aibridge/openai/responses?x=1')).toBe(101);
    expect(harness.fake.sockets.exchanges.map((exchange) => exchange.path).slice(before)).toEqual([
      '/v1/responses',
      '/v1/responses',
    ]);
  });

  it('answers a request with the upstream refusal as an error message and records the failure', async () => {
    harness.fake.socketRefusal = {
      status: 401,
      body: JSON.stringify({
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }),
    };
    try {
      const codex = await CodexSocket.open(url, harness.member.token);
      const connectionId = String(codex.upgradeHeaders['x-aibridge-connection-id']);
      const events = await codex.request(captured('codex-websocket-2-prompt.json'));
      expect(events).toMatchObject([
        {
          type: 'error',
          status: 401,
          error: { message: 'Incorrect API key provided.', code: 'invalid_api_key' },
          headers: { 'x-request-id': 'req_fake_ws' },
        },
      ]);
      codex.socket.terminate();
      const [row] = await interceptionsOf(connectionId, 1);
      const stored = await readEndedInterception(getStore(), row?.id ?? '');
      expect(stored.interception).toMatchObject({
        upstream_status: 401,
        error: 'Incorrect API key provided.',
      });
      expect(row?.user_prompts).toMatchObject([{ prompt: 'Run echo hello in the shell' }]);
    } finally {
      harness.fake.socketRefusal = null;
    }
  });

  it('relays an upstream error message unchanged and records it as a failure with its status', async () => {
    const body = JSON.stringify({
      error: { message: 'The model does not exist.', type: 'invalid_request_error', code: 'model_not_found' },
    });
    const { codex, connectionId, upstream } = await openAndPrompt({ kind: 'status', status: 400, body });
    const events = await codex.request(captured('codex-websocket-2-prompt.json'));
    expect(codex.received).toEqual(upstream.sent);
    expect(events).toMatchObject([{ type: 'error', status: 400, error: { code: 'model_not_found' } }]);
    codex.socket.terminate();
    const [row] = await interceptionsOf(connectionId, 1);
    expect(row?.metadata.client_disconnected).toBeUndefined();
    const stored = await readEndedInterception(getStore(), row?.id ?? '');
    expect(stored.interception).toMatchObject({ upstream_status: 400, error: 'The model does not exist.' });
  });

  it('answers a request with a 503 error message, sending nothing upstream, when the record queue is full', async () => {
    const codex = await CodexSocket.open(url, harness.member.token);
    const upstream = lastFakeSocket();
    const full = vi.spyOn(harness.server.context.recorder, 'hasRoom').mockReturnValue(false);
    try {
      const events = await codex.request(captured('codex-websocket-2-prompt.json'));
      expect(events).toMatchObject([
        { type: 'error', status: 503, error: { code: 'recorder_queue_full', type: 'server_error' } },
      ]);
    } finally {
      full.mockRestore();
    }
    // The connection stays usable once there is room again.
    const events = await codex.request(captured('codex-websocket-2-prompt.json'));
    expect(events.at(-1)?.type).toBe('response.completed');
    expect(upstream.received).toHaveLength(1);
    codex.socket.terminate();
  });

  it('answers an upstream that breaks off mid-response with an error message and records the failure', async () => {
    const { codex, connectionId } = await openAndPrompt({
      kind: 'drop',
      fixture: 'openai-responses/stream-codex-exec-command.sse',
      afterEvents: 3,
    });
    const closed = new Promise<number>((resolve) => codex.socket.once('close', (code) => resolve(code)));
    const events = await codex.request(captured('codex-websocket-2-prompt.json'));
    expect(events).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      status: 502,
      error: { code: 'upstream_stream_failed' },
    });
    expect(await closed).toBe(1011);
    const [row] = await interceptionsOf(connectionId, 1);
    const stored = await readEndedInterception(getStore(), row?.id ?? '');
    expect(stored.interception?.error).toMatch(
      /upstream closed the connection before the response was complete/,
    );
    expect(row?.metadata.client_disconnected).toBeUndefined();
  });
});
