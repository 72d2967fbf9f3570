/**
 * Requests exactly as today's Claude Code (2.1.332) and Codex (0.171.0) send them, captured from the real
 * binaries (`test/fixtures/agents/`), replayed with their own headers and bodies, and read back through
 * the query API: the prompt past system reminders and trailing system messages, one session per agent
 * session, and a close right after the terminal event recorded as a complete answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAgentRequest } from '../fake-provider/fixtures.js';
import { describeEachDatabase } from '../support/databases.js';
import { type ProxyHarness, readEndedInterception, startProxyHarness } from './harness.js';

const claudeSession = 'dc2dde36-528b-4a41-8b69-896a63c019a4';
const codexSession = '01a21833-edd2-7710-9303-fbd668da5e79';

interface ApiInterception {
  id: string;
  client: string;
  metadata: Record<string, unknown>;
  user_prompts: { prompt: string }[];
  token_usages: { input_tokens: number; output_tokens: number }[];
  tool_usages: { tool: string; input: string }[];
}
interface ApiSession {
  id: string;
  client: string;
  threads: number;
  last_prompt: string | null;
}
interface ApiThreads {
  threads: { id: string; prompt: string | null }[];
}

/** An SSE response read until an event of a terminal type has arrived whole, then dropped by the client. */
async function readUntil(response: Response, terminal: string, abort: AbortController): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error('response has no body');
  const decoder = new TextDecoder();
  let text = '';
  const complete = new RegExp(`event: ${terminal.replace('.', '\\.')}\\ndata: [^\\n]*\\n\\n`);
  while (!complete.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${terminal}`);
    text += decoder.decode(value, { stream: true });
  }
  abort.abort();
  return text;
}

describeEachDatabase('requests shaped exactly like current Claude Code and Codex', (getStore) => {
  let harness: ProxyHarness;
  beforeAll(async () => {
    harness = await startProxyHarness(getStore());
  });
  afterAll(async () => {
    await harness?.close();
  });

  /** Sends a captured request with its own headers and body, authenticated as the member. */
  const replay = (name: string, signal?: AbortSignal) => {
    const captured = readAgentRequest(name);
    const provider = captured.client.startsWith('Claude Code') ? 'anthropic' : 'openai';
    return fetch(`${harness.providerUrl(provider)}${captured.path}`, {
      method: captured.method,
      headers: { ...captured.headers, authorization: `Bearer ${harness.member.token}` },
      body: JSON.stringify(captured.body),
      ...(signal === undefined ? {} : { signal }),
    });
  };
  const idOf = (response: Response) => response.headers.get('x-aibridge-interception-id') ?? '';
  const api = async <T>(path: string): Promise<T> => {
    const response = await harness.server.api(path);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const interception = async (id: string) => {
    await readEndedInterception(getStore(), id);
    const page = await api<{ results: ApiInterception[] }>(
      `/api/v2/aibridge/interceptions?q=${encodeURIComponent(`initiator:${harness.member.username}`)}&limit=1000`,
    );
    const found = page.results.find((row) => row.id === id);
    if (found === undefined) throw new Error(`interception ${id} is not listed`);
    return found;
  };
  const session = async (id: string) => {
    const page = await api<{ sessions: ApiSession[] }>(
      `/api/v2/aibridge/sessions?q=${encodeURIComponent(`initiator:${harness.member.username}`)}`,
    );
    return page.sessions.filter((row) => row.id === id);
  };

  describe('Claude Code', () => {
    it('records the prompt behind its system reminders and trailing system message, one session over two prompts', async () => {
      harness.fake.script(
        { kind: 'fixture', fixture: 'anthropic/stream-claude-code-bash.sse' },
        { kind: 'fixture', fixture: 'anthropic/stream-text.sse' },
        { kind: 'fixture', fixture: 'anthropic/stream-text.sse' },
      );
      const ids: string[] = [];
      for (const name of [
        'claude-code-1-prompt.json',
        'claude-code-2-tool-result.json',
        'claude-code-3-second-prompt.json',
      ]) {
        const response = await replay(name);
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('event: message_stop');
        ids.push(idOf(response));
      }
      const [first, second, third] = await Promise.all(ids.map(interception));
      expect(first).toMatchObject({
        client: 'Claude Code',
        user_prompts: [{ prompt: 'Run echo hello in the shell' }],
        tool_usages: [{ tool: 'Bash', input: '{"command": "echo hello", "description": "Print hello"}' }],
      });
      expect(first?.metadata.client_disconnected).toBeUndefined();
      expect(second?.user_prompts).toEqual([]);
      expect(third?.user_prompts).toMatchObject([{ prompt: 'Now run echo bye' }]);

      expect(await session(claudeSession)).toMatchObject([
        { client: 'Claude Code', threads: 2, last_prompt: 'Now run echo bye' },
      ]);
      const threads = await api<ApiThreads>(`/api/v2/aibridge/sessions/${claudeSession}`);
      expect(threads.threads.map((thread) => thread.prompt)).toEqual([
        'Run echo hello in the shell',
        'Now run echo bye',
      ]);
    });

    it('records a close right after message_stop as a complete answer', async () => {
      harness.fake.script({
        kind: 'stall',
        fixture: 'anthropic/stream-claude-code-bash.sse',
        afterEvents: Number.POSITIVE_INFINITY,
      });
      const abort = new AbortController();
      const response = await replay('claude-code-1-prompt.json', abort.signal);
      await readUntil(response, 'message_stop', abort);
      const exchange = harness.fake.last();
      await exchange.done;
      // The provider had not ended its stream: the bridge dropped it when the client left.
      expect(exchange.clientClosed).toBe(true);
      const stored = await readEndedInterception(getStore(), idOf(response));
      expect(stored.interception).toMatchObject({ upstream_status: 200, error: null });
      const listed = await interception(idOf(response));
      expect(listed.metadata.client_disconnected).toBeUndefined();
      expect(listed.token_usages).toMatchObject([{ input_tokens: 3, output_tokens: 71 }]);
      expect(listed.tool_usages.map((tool) => tool.tool)).toEqual(['Bash']);
    });
  });

  describe('Codex', () => {
    it('keeps two prompts of one Codex session in one session, closing right after response.completed each time', async () => {
      harness.fake.script(
        {
          kind: 'stall',
          fixture: 'openai-responses/stream-codex-exec-command.sse',
          afterEvents: Number.POSITIVE_INFINITY,
        },
        { kind: 'stall', fixture: 'openai-responses/stream-text.sse', afterEvents: Number.POSITIVE_INFINITY },
        { kind: 'stall', fixture: 'openai-responses/stream-text.sse', afterEvents: Number.POSITIVE_INFINITY },
      );
      const ids: string[] = [];
      for (const name of ['codex-1-prompt.json', 'codex-2-tool-output.json', 'codex-3-second-prompt.json']) {
        const abort = new AbortController();
        const response = await replay(name, abort.signal);
        expect(response.status).toBe(200);
        await readUntil(response, 'response.completed', abort);
        await harness.fake.last().done;
        expect(harness.fake.last().clientClosed).toBe(true);
        // What went upstream is Codex's request: its session headers included, the bridge token not.
        expect(harness.fake.last().headers['session-id']).toBe(codexSession);
        expect(harness.fake.last().headers.authorization).not.toContain(harness.member.token);
        ids.push(idOf(response));
      }
      const [first, second, third] = await Promise.all(ids.map(interception));
      for (const row of [first, second, third]) {
        expect(row?.client).toBe('Codex');
        expect(row?.metadata.client_disconnected).toBeUndefined();
        expect(row?.token_usages).toHaveLength(1);
      }
      expect(first).toMatchObject({
        user_prompts: [{ prompt: 'Run echo hello in the shell' }],
        tool_usages: [{ tool: 'exec_command', input: '{"cmd":"echo hello"}' }],
        token_usages: [{ input_tokens: 2120, output_tokens: 24 }],
      });
      expect(second?.user_prompts).toEqual([]);
      expect(third?.user_prompts).toMatchObject([{ prompt: 'Now run echo bye' }]);
      for (const id of ids) {
        const stored = await readEndedInterception(getStore(), id);
        expect(stored.interception).toMatchObject({ client_session_id: codexSession, error: null });
      }

      expect(await session(codexSession)).toMatchObject([
        { client: 'Codex', threads: 2, last_prompt: 'Now run echo bye' },
      ]);
      const threads = await api<ApiThreads>(`/api/v2/aibridge/sessions/${codexSession}`);
      expect(threads.threads.map((thread) => thread.prompt)).toEqual([
        'Run echo hello in the shell',
        'Now run echo bye',
      ]);
    });

    it('finds the prompt before the configuration_update item Codex appends for its default model', async () => {
      const ids: string[] = [];
      for (const name of ['codex-default-model-1-prompt.json', 'codex-default-model-2-second-prompt.json']) {
        const response = await replay(name);
        expect(await response.text()).toContain('event: response.completed');
        ids.push(idOf(response));
      }
      const rows = await Promise.all(ids.map(interception));
      expect(rows.map((row) => row.user_prompts.map((prompt) => prompt.prompt))).toEqual([
        ['Run echo hello in the shell'],
        ['Now run echo bye'],
      ]);
      const sessionId = readAgentRequest('codex-default-model-1-prompt.json').headers['session-id'] ?? '';
      expect(await session(sessionId)).toMatchObject([{ threads: 2, last_prompt: 'Now run echo bye' }]);
    });

    it('still records a close in the middle of the stream as a client disconnect', async () => {
      harness.fake.script({
        kind: 'stall',
        fixture: 'openai-responses/stream-codex-exec-command.sse',
        afterEvents: 3,
      });
      const abort = new AbortController();
      const response = await replay('codex-1-prompt.json', abort.signal);
      await readUntil(response, 'response.output_item.added', abort);
      await harness.fake.last().done;
      const stored = await readEndedInterception(getStore(), idOf(response));
      expect(stored.interception?.error).toMatch(/client disconnected/);
      const listed = await interception(idOf(response));
      expect(listed.metadata.client_disconnected).toBe(true);
      expect(listed.user_prompts).toMatchObject([{ prompt: 'Run echo hello in the shell' }]);
      expect(listed.token_usages).toEqual([]);
    });
  });
});
