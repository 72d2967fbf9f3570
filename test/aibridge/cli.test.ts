import type { Command } from 'commander';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clientsCommand } from '../../src/cli/commands/clients.js';
import { interceptionsCommand } from '../../src/cli/commands/interceptions.js';
import { modelsCommand } from '../../src/cli/commands/models.js';
import { sessionsCommand } from '../../src/cli/commands/sessions.js';
import { describeEachDatabase } from '../support/databases.js';
import { runCommand } from '../support/run-command.js';
import { startTestServer } from '../support/server.js';
import { buildWorld, type World } from './world.js';

const run = runCommand;

describeEachDatabase('aibridge interceptions|sessions|models|clients', (getStore) => {
  let world: World;
  const as = () => ['--url', world.server.url, '--token', world.server.adminToken];
  const json = async <T>(command: Command, args: string[]) =>
    JSON.parse((await run(command, [...args, ...as(), '--output', 'json'])).stdout) as T;
  type Page = { count: number; results: { id: string }[] };
  type Sessions = { count: number; sessions: { id: string }[] };

  beforeAll(async () => {
    world = await buildWorld(await startTestServer({ store: getStore() }), getStore());
  });
  afterAll(() => world.server.close());

  it('interceptions list turns each search flag into the query', async () => {
    const { a1, a2, a3, x1, bob1 } = world.ids;
    const filtered = await json<Page>(interceptionsCommand(), [
      'list',
      '--initiator',
      'alice',
      '--model',
      'claude-sonnet-4',
    ]);
    expect(filtered.results.map((row) => row.id)).toEqual([a3, a2, a1]);
    const byName = await json<Page>(interceptionsCommand(), [
      'list',
      '--provider-name',
      'anthropic-eu',
      '--provider',
      'anthropic',
    ]);
    expect(byName.results.map((row) => row.id)).toEqual([bob1]);
    const window = await json<Page>(interceptionsCommand(), [
      'list',
      '--started-after',
      '2025-03-11T00:00:00Z',
      '--started-before',
      '2025-03-12T00:00:00Z',
    ]);
    expect(window).toMatchObject({ count: 1, results: [{ id: x1 }] });
  });

  it('interceptions list has a flag for every key of its grammar, client and credential kind too', async () => {
    const { b1, x1 } = world.ids;
    const codex = await json<Page>(interceptionsCommand(), ['list', '--client', 'Codex']);
    expect(codex).toMatchObject({ count: 1, results: [{ id: x1 }] });
    const byok = await json<Page>(interceptionsCommand(), [
      'list',
      '--credential-kind',
      'byok',
      '--client',
      'Claude Code',
    ]);
    expect(byok).toMatchObject({ count: 1, results: [{ id: b1 }] });
    const sessions = await json<Sessions>(sessionsCommand(), ['list', '--credential-kind', 'byok']);
    expect(sessions.sessions.map((session) => session.id)).toEqual(['zed-1', 'cc-session-1']);
  });

  it('interceptions list prints a table and says how to get the next page', async () => {
    const { stdout, stderr } = await run(interceptionsCommand(), ['list', '--limit', '2', ...as()]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^STARTED\s+TOOK\s+INITIATOR\s+PROVIDER\s+MODEL\s+CLIENT\s+STATUS\s+IN\s+OUT\s+TOOLS\s+PROMPT\s+ID$/,
    );
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(world.ids.x1);
    expect(stderr).toBe(`7 in all. Next page: --after-id ${world.ids.x1} (or --all).\n`);
  });

  it('interceptions list filters by --client, counting only that client', async () => {
    const codex = await json<Page>(interceptionsCommand(), ['list', '--client', 'Codex']);
    expect(codex).toMatchObject({ count: 1, results: [{ id: world.ids.x1 }] });
    const cursor = await json<Page>(interceptionsCommand(), ['list', '--client', 'Cursor']);
    expect(cursor.results.map((row) => row.id)).toEqual([world.ids.bob2]);
  });

  it('interceptions show prints one interception with its tool calls, and JSON with --output json', async () => {
    const { stdout } = await run(interceptionsCommand(), ['show', world.ids.a1, ...as()]);
    expect(stdout).toMatch(new RegExp(`^id:\\s+${world.ids.a1}\n`));
    expect(stdout).toContain('tokens:    in 100, out 10, cache read 5, cache write 1');
    expect(stdout).toContain('prompt:    fix the bug');
    const tools = stdout.split('\n\n')[1]!.trimEnd().split('\n');
    expect(tools[0]).toMatch(/^AT\s+TOOL\s+INPUT$/);
    expect(tools[1]).toMatch(/ Read\s+\{"path":"a\.ts"\}$/);
    const shown = await json<{ id: string; tool_usages: unknown[] }>(interceptionsCommand(), [
      'show',
      world.ids.a1,
    ]);
    expect(shown).toMatchObject({ id: world.ids.a1, tool_usages: [{ tool: 'Read' }] });
    await expect(
      run(interceptionsCommand(), ['show', '01890000-0000-7000-8000-000000000000', ...as()]),
    ).rejects.toThrow(/No interception 01890000-0000-7000-8000-000000000000\. \[HTTP 404\]/);
  });

  it('prints one empty state and no paging hint when nothing matches', async () => {
    const window = ['--started-after', '2099-01-01T00:00:00Z'];
    const interceptions = await run(interceptionsCommand(), ['list', ...window, ...as()]);
    expect(interceptions).toEqual({ stdout: 'No interceptions found.\n', stderr: '' });
    const sessions = await run(sessionsCommand(), ['list', ...window, ...as()]);
    expect(sessions).toEqual({ stdout: 'No sessions found.\n', stderr: '' });
    const models = await run(modelsCommand(), ['list', 'no-such-model', ...as()]);
    expect(models).toEqual({ stdout: 'No models found.\n', stderr: '' });
  });

  it('interceptions list pages with --after-id, --offset and --all', async () => {
    const all = (await json<Page>(interceptionsCommand(), ['list'])).results.map((row) => row.id);
    const followed = await json<Page>(interceptionsCommand(), ['list', '--limit', '2', '--all']);
    expect(followed.results.map((row) => row.id)).toEqual(all);
    const after = await json<Page>(interceptionsCommand(), ['list', '--after-id', all[4]!]);
    expect(after.results.map((row) => row.id)).toEqual(all.slice(5));
    const offset = await json<Page>(interceptionsCommand(), ['list', '--offset', '5']);
    expect(offset.results.map((row) => row.id)).toEqual(all.slice(5));
  });

  it('reports the server validations of a bad flag on one line', async () => {
    await expect(
      run(interceptionsCommand(), ['list', '--started-after', 'yesterday', ...as()]),
    ).rejects.toThrow(/started_after .*RFC 3339/);
  });

  it('sessions list filters, pages and follows cursors', async () => {
    const claude = await json<Sessions>(sessionsCommand(), ['list', '--client', 'Claude Code']);
    expect(claude.sessions.map((row) => row.id)).toEqual(['cc-session-1']);
    const bySession = await json<Sessions>(sessionsCommand(), ['list', '--session-id', 'zed-1']);
    expect(bySession.sessions.map((row) => row.id)).toEqual(['zed-1']);
    const followed = await json<Sessions>(sessionsCommand(), ['list', '--limit', '1', '--all']);
    expect(followed.sessions.map((row) => row.id)).toEqual([
      'zed-1',
      world.ids.x1,
      'cc-session-1',
      world.ids.bob2,
    ]);
    const after = await json<Sessions>(sessionsCommand(), ['list', '--after-id', 'cc-session-1']);
    expect(after.sessions.map((row) => row.id)).toEqual([world.ids.bob2]);
    const { stdout } = await run(sessionsCommand(), ['list', ...as()]);
    expect(stdout.split('\n')[0]).toMatch(
      /^LAST ACTIVE\s+INITIATOR\s+CLIENT\s+MODELS\s+THREADS\s+ERRORS\s+IN\s+OUT\s+LAST PROMPT\s+ID$/,
    );
  });

  it('sessions show prints the session and its threads, and follows thread cursors', async () => {
    const { stdout } = await run(sessionsCommand(), ['show', 'cc-session-1', ...as()]);
    expect(stdout).toMatch(/^id:\s+cc-session-1\n/);
    expect(stdout).toContain('tokens:    in 604, out 66, cache read 5, cache write 1');
    const table = stdout.split('\n\n')[1]!.trimEnd().split('\n');
    expect(table[0]).toMatch(/^STARTED\s+MODEL\s+ACTIONS\s+TOOL CALLS\s+IN\s+OUT\s+PROMPT\s+ID$/);
    expect(table.slice(1).map((line) => line.split(/\s+/).at(-1))).toEqual([world.ids.a1, world.ids.b1]);
    type Threads = { threads: { id: string }[] };
    const all = await json<Threads>(sessionsCommand(), ['show', 'cc-session-1', '--limit', '1', '--all']);
    expect(all.threads.map((thread) => thread.id)).toEqual([world.ids.a1, world.ids.b1]);
    const after = await json<Threads>(sessionsCommand(), [
      'show',
      'cc-session-1',
      '--after-id',
      world.ids.a1,
    ]);
    expect(after.threads.map((thread) => thread.id)).toEqual([world.ids.b1]);
    const before = await json<Threads>(sessionsCommand(), [
      'show',
      'cc-session-1',
      '--before-id',
      world.ids.b1,
    ]);
    expect(before.threads.map((thread) => thread.id)).toEqual([world.ids.a1]);
  });

  it('models list and clients list filter by prefix and page', async () => {
    expect(await json<string[]>(modelsCommand(), ['list', 'claude'])).toEqual([
      'claude-opus-4',
      'claude-sonnet-4',
    ]);
    expect(await json<string[]>(clientsCommand(), ['list', 'Claude C'])).toEqual(['Claude Code']);
    expect(await json<string[]>(modelsCommand(), ['list', '--limit', '1', '--all'])).toEqual([
      'claude-opus-4',
      'claude-sonnet-4',
      'gpt-4.1',
      'gpt-5',
    ]);
    expect(await json<string[]>(clientsCommand(), ['list', '--offset', '3'])).toEqual(['Zed']);
    const { stdout } = await run(modelsCommand(), ['list', 'gpt', ...as()]);
    expect(stdout).toBe('MODEL\ngpt-4.1\ngpt-5\n');
  });
});
