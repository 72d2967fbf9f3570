/**
 * A small, fully known history for the query API tests: two members (alice, bob), an auditor (carol) and
 * the owner, with one multi-thread Claude Code session, single-interception sessions, a second provider
 * instance only present in the records, and an interception that never ended (it must appear nowhere).
 */
import type { Store } from '../../src/store/open-store.js';
import { recordInterceptions } from '../support/record-fixtures.js';
import type { TestServer } from '../support/server.js';

export const day = Date.UTC(2025, 2, 10);
export const at = (days: number, hours: number, minutes = 0) =>
  new Date(day + days * 86_400_000 + hours * 3_600_000 + minutes * 60_000);

export interface World {
  server: TestServer;
  users: Record<'alice' | 'bob' | 'carol', { id: string; username: string; token: string }>;
  ids: Record<'a1' | 'a2' | 'a3' | 'b1' | 'open' | 'x1' | 'bob1' | 'bob2', string>;
}

/** Creates the users through the API and records the history through the write path. */
export async function buildWorld(server: TestServer, store: Store): Promise<World> {
  const alice = await server.createUser('alice');
  const bob = await server.createUser('bob');
  const carol = await server.createUser('carol', ['auditor']);
  const session = { initiatorId: alice.id, clientSessionId: 'cc-session-1' };
  const [a1] = await recordInterceptions(store, [
    {
      ...session,
      startedAt: at(0, 10),
      prompt: 'fix the bug',
      thinking: ['look at the file first'],
      toolCalls: [{ tool: 'Read', input: '{"path":"a.ts"}' }],
      usages: [
        {
          input: 100,
          output: 10,
          cacheRead: 5,
          cacheWrite: 1,
          metadata: { reasoning: { tokens: 3 }, tier: 'x' },
        },
      ],
    },
  ]);
  const [a2] = await recordInterceptions(store, [
    {
      ...session,
      threadParentId: a1!,
      threadRootId: a1!,
      startedAt: at(0, 10, 1),
      toolCalls: [
        { tool: 'bmcp_git_diff', injected: true, serverUrl: 'http://mcp.test/mcp', invocationError: 'boom' },
      ],
      usages: [{ input: 200, output: 20, metadata: { reasoning: { tokens: 4 } } }],
    },
  ]);
  const [a3, b1, open, x1, bob1, bob2] = await recordInterceptions(store, [
    {
      ...session,
      threadParentId: a2!,
      threadRootId: a1!,
      startedAt: at(0, 10, 2),
      usages: [{ input: 300, output: 30 }],
    },
    {
      ...session,
      startedAt: at(0, 11),
      model: 'claude-opus-4',
      prompt: 'run the tests',
      credentialKind: 'byok',
      credentialHint: 'sk-b...1234',
      usages: [
        { input: 1, output: 2 },
        { input: 3, output: 4 },
      ],
    },
    { ...session, startedAt: at(0, 12), prompt: 'still running', durationMs: null },
    {
      initiatorId: alice.id,
      startedAt: at(1, 9),
      provider: 'openai',
      model: 'gpt-5',
      client: 'Codex',
      prompt: 'explain',
      usages: [{ input: 50, output: 5, cacheRead: 7 }],
    },
    {
      initiatorId: bob.id,
      clientSessionId: 'zed-1',
      startedAt: at(2, 8),
      providerName: 'anthropic-eu',
      client: 'Zed',
      prompt: 'hello',
      credentialKind: 'byok',
    },
    {
      initiatorId: bob.id,
      startedAt: at(-1, 23, 30),
      provider: 'openai',
      model: 'gpt-4.1',
      client: 'Cursor',
    },
  ]);
  return {
    server,
    users: { alice, bob, carol },
    ids: { a1: a1!, a2: a2!, a3: a3!, b1: b1!, open: open!, x1: x1!, bob1: bob1!, bob2: bob2! },
  };
}

/** GET a path as a token (the owner's by default) and return status and parsed body. */
export async function getJson<T = unknown>(
  server: TestServer,
  path: string,
  token?: string | null,
): Promise<{ status: number; body: T }> {
  const response = await server.api(path, token === undefined ? {} : { token });
  return { status: response.status, body: (await response.json()) as T };
}
