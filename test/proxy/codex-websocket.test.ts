/**
 * Codex's Responses WebSocket transport through the bridge, driven by a `ws` client shaped exactly like
 * Codex 0.171 (its captured upgrade headers and messages, `test/fixtures/agents/codex-websocket-*.json`):
 * one connection carrying the warm-up, the prompt and the tool output, then a drop without a close frame.
 * What the bridge recorded is read back through the query API.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readFixture } from '../fake-provider/fixtures.js';
import { describeEachDatabase } from '../support/databases.js';
import { type ProxyHarness, readEndedInterception, readInterception, startProxyHarness } from './harness.js';

interface CapturedUpgrade {
  headers: Record<string, string>;
}
interface CapturedMessage {
  message: Record<string, unknown>;
}
interface ApiInterception {
  id: string;
  client: string;
  started_at: string;
  metadata: Record<string, unknown>;
  user_prompts: { prompt: string }[];
  token_usages: { input_tokens: number; output_tokens: number }[];
  tool_usages: { tool: string; input: string }[];
}

const upgrade = JSON.parse(readFixture('agents/codex-websocket-upgrade.json').toString()) as CapturedUpgrade;
const captured = (name: string) =>
  (JSON.parse(readFixture(`agents/${name}`).toString()) as CapturedMessage).message;
const codexSession = upgrade.headers['session-id'] ?? '';

/** A client socket that keeps every message and can wait for the end of one response. */
class CodexSocket {
  readonly received: string[] = [];
  readonly sent: string[] = [];
  readonly #waiters: (() => void)[] = [];

  private constructor(
    readonly socket: WebSocket,
    readonly upgradeHeaders: IncomingMessage['headers'],
  ) {
    socket.on('message', (data: Buffer, isBinary) => {
      expect(isBinary).toBe(false);
      this.received.push(data.toString('utf8'));
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Opens a socket with Codex's upgrade headers (its own credential replaced by `token`). */
  static open(url: string, token: string): Promise<CodexSocket> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(upgrade.headers)) {
      if (name !== 'upgrade' && !name.startsWith('sec-websocket-')) headers[name] = value;
    }
    headers.authorization = `Bearer ${token}`;
    const socket = new WebSocket(url, { headers, perMessageDeflate: true });
    return new Promise((resolve, reject) => {
      let responseHeaders: IncomingMessage['headers'] = {};
      socket.once('upgrade', (response) => {
        responseHeaders = response.headers;
      });
      socket.once('open', () => resolve(new CodexSocket(socket, responseHeaders)));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused with ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  /** Sends one request and returns the messages answering it, up to `response.completed` or an error. */
  request(message: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const from = this.received.length;
    this.send(message);
    return this.waitFor(
      (events) => events.some((event) => event.type === 'response.completed' || event.type === 'error'),
      from,
    );
  }

  send(message: Record<string, unknown>): void {
    const text = JSON.stringify(message);
    this.sent.push(text);
    this.socket.send(text);
  }

  /** Waits until the messages received since `from` satisfy `done`, and returns them. */
  async waitFor(
    done: (events: Record<string, unknown>[]) => boolean,
    from: number,
  ): Promise<Record<string, unknown>[]> {
    while (!done(this.since(from))) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.since(from);
  }

  since(from: number): Record<string, unknown>[] {
    return this.received.slice(from).map((text) => JSON.parse(text) as Record<string, unknown>);
  }
}

const completedResponse = (events: Record<string, unknown>[]) =>
  events.find((event) => event.type === 'response.completed')?.response as { id: string } | undefined;

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
});
