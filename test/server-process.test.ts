import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/store/migrate.js';
import { createScratchDatabase, testEngines } from './support/databases.js';
import { freePort, runCli, type ServerProcess, startServerProcess } from './support/processes.js';

describe('aibridge server on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-process-'));
  const configHome = mkdtempSync(join(tmpdir(), 'aibridge-cli-'));
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess(['--data-dir', dataDir], { XDG_CONFIG_HOME: configHome });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(configHome, { recursive: true, force: true });
  });

  it('writes the owner token to <data-dir>/admin-token with mode 0600 and, off a terminal, prints only where it is', () => {
    const file = join(dataDir, 'admin-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = readFileSync(file, 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$/);
    expect(server.output()).not.toContain(token);
    expect(server.output()).toContain(`its token is in ${file}`);
    const startLines = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"aibridge listening"'));
    expect(startLines).toHaveLength(1);
    expect(JSON.parse(startLines[0] ?? '{}')).toMatchObject({
      level: 30,
      adminCreated: true,
      adminTokenFile: file,
    });
  });

  it('lets the CLI create a member and a token that works against /users/me', async () => {
    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const env = { XDG_CONFIG_HOME: configHome };
    const login = await runCli(['login', server.url, '--token', adminToken], env);
    expect(login).toMatchObject({ code: 0, stdout: `Logged in to ${server.url} as admin.\n` });
    const created = await runCli(['users', 'create', 'bob', '--name', 'Bob B'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^id:\s+\S+\nusername: bob\nrole:\s+member\n$/);
    const token = await runCli(['tokens', 'create', '--user', 'bob', '--name', 'laptop'], env);
    expect(token.code).toBe(0);
    const key = token.stdout.trim();
    const me = await fetch(`${server.url}/api/v2/users/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(await me.json()).toMatchObject({ username: 'bob', name: 'Bob B' });
    const listed = await runCli(['users', 'list', '--output', 'json'], env);
    expect((JSON.parse(listed.stdout) as Array<{ username: string }>).map((user) => user.username)).toEqual([
      'admin',
      'bob',
    ]);
    const tokens = await runCli(['tokens', 'list', '--user', 'bob'], env);
    expect(tokens.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+CREATED\s+EXPIRES\s+LAST USED$/);
    expect(tokens.stdout).toContain('laptop');
  });

  it('prints one clear line for a bad token and for an unreachable server', async () => {
    const badToken = await runCli([
      'users',
      'show',
      '--url',
      server.url,
      '--token',
      'abcdefghij-abcdefghijabcdefghijab',
    ]);
    expect(badToken).toMatchObject({
      code: 1,
      stderr: 'aibridge: the server refused the token (401): API token is invalid.\n',
    });
    const port = await freePort();
    const unreachable = await runCli(['users', 'list', '--url', `http://127.0.0.1:${port}`, '--token', 'x']);
    expect(unreachable).toMatchObject({
      code: 1,
      stderr: `aibridge: cannot reach the server at http://127.0.0.1:${port}: ECONNREFUSED\n`,
    });
  });

  it('refuses a second server on the same data directory with one line', async () => {
    const second = await runCli(
      ['server', '--listen', `127.0.0.1:${await freePort()}`, '--data-dir', dataDir],
      {
        XDG_CONFIG_HOME: configHome,
      },
    );
    expect(second).toMatchObject({
      code: 1,
      stderr: `aibridge: the embedded database in ${join(dataDir, 'pgdata')} is in use by another aibridge process\n`,
    });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('stops with exit code 0 on SIGTERM', async () => {
    expect(await server.stop()).toBe(0);
    expect(server.output()).toContain('aibridge stopped');
  });
});

describe('aibridge server start-up errors', () => {
  it('stops on a bad setting with one line naming it', async () => {
    const result = await runCli(['server', '--listen', 'nowhere']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'aibridge: invalid --listen "nowhere": expected host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080\n',
    );
  });

  it('prints the version', async () => {
    const result = await runCli(['--version']);
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('has help on every command', async () => {
    for (const args of [['server'], ['login'], ['users', 'create'], ['tokens', 'delete']]) {
      const result = await runCli([...args, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: aibridge /);
    }
  });
});

for (const engine of testEngines().filter((name) => name === 'postgres')) {
  describe(`two servers starting at once on one database [${engine}]`, () => {
    let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
    let databaseUrl: string;
    const directories: string[] = [];

    beforeAll(async () => {
      scratch = await createScratchDatabase('aibridge_twin');
      databaseUrl = scratch.url;
    });
    afterAll(async () => {
      await scratch?.drop();
      for (const directory of directories) rmSync(directory, { recursive: true, force: true });
    });

    it('both come up, the migrations run once and there is one owner', async () => {
      const start = () => {
        const directory = mkdtempSync(join(tmpdir(), 'aibridge-twin-'));
        directories.push(directory);
        return startServerProcess(['--database-url', databaseUrl, '--data-dir', directory]);
      };
      const servers = await Promise.all([start(), start()]);
      try {
        for (const server of servers) expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        const applied = await client.query('SELECT version FROM schema_migrations ORDER BY version');
        expect(applied.rows.map((row: { version: number }) => row.version)).toEqual(
          migrations.map((migration) => migration.version),
        );
        const owners = await client.query('SELECT username FROM users');
        expect(owners.rows).toEqual([{ username: 'admin' }]);
        await client.end();
        const tokenFiles = directories.filter((directory) => {
          try {
            return statSync(join(directory, 'admin-token')).isFile();
          } catch {
            return false;
          }
        });
        expect(tokenFiles).toHaveLength(1);
      } finally {
        await Promise.all(servers.map((server) => server.stop()));
      }
    });
  });
}
