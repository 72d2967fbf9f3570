import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli } from './support/processes.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Starts `aibridge server` with `--listen 127.0.0.1:0` and resolves with the URL of its JSON start line
 * (the port the system chose), or rejects with the output if it exits first.
 */
async function startOnAnyPort(
  args: string[],
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'server', '--listen', '127.0.0.1:0', ...args],
    {
      cwd: root,
      env: { ...process.env, AIBRIDGE_LOG_FORMAT: 'json' },
    },
  );
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (!line.includes('"aibridge listening"')) continue;
        resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return { url: await url, child, output: () => output };
}

/** The stderr of a failed command as lines. */
const linesOf = (text: string) => text.split('\n').filter((line) => line !== '');

describe('the aibridge command line end to end', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-cli-process-'));
  const configHome = mkdtempSync(join(tmpdir(), 'aibridge-cli-home-'));
  const env = { XDG_CONFIG_HOME: configHome };
  let server: Awaited<ReturnType<typeof startOnAnyPort>>;
  let ownerToken = '';

  beforeAll(async () => {
    // No server has run on this data directory: create-admin makes the owner and its token.
    const created = await runCli(['server', 'create-admin', '--data-dir', dataDir]);
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('Created the owner "admin"; a new token (shown once):\n');
    ownerToken = created.stdout.trim();
    server = await startOnAnyPort(['--data-dir', dataDir]);
  });
  afterAll(async () => {
    if (server?.child.exitCode === null) {
      const exited = once(server.child, 'exit');
      server.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(configHome, { recursive: true, force: true });
  });

  it('names the port it bound for --listen 127.0.0.1:0, and creates no second owner', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(server.output()).not.toContain('Created the owner');
    expect(existsSync(join(dataDir, 'admin-token'))).toBe(false);
  });

  it('logs in with the create-admin token read from stdin, says who is logged in, and logs out', async () => {
    const login = await runCli(['login', server.url], env, `${ownerToken}\n`);
    expect(login).toMatchObject({ code: 0, stdout: `Logged in to ${server.url} as admin.\n` });
    expect(await runCli(['whoami'], env)).toMatchObject({
      code: 0,
      stdout: `admin (owner) on ${server.url}\n`,
    });
    expect(await runCli(['logout'], env)).toMatchObject({ code: 0 });
    const after = await runCli(['whoami'], env);
    expect(after.code).toBe(1);
    expect(linesOf(after.stderr)).toEqual([
      'aibridge: no server URL: pass --url, set AIBRIDGE_URL, or run `aibridge login URL`',
    ]);
  });

  it('prints exactly one line for a bad option value', async () => {
    const result = await runCli([
      'users',
      'list',
      '--url',
      server.url,
      '--token',
      ownerToken,
      '--output',
      'yaml',
    ]);
    expect(result.code).toBe(1);
    expect(linesOf(result.stderr)).toEqual([
      `error: option '-o, --output <format>' argument 'yaml' is invalid. expected "table" or "json".`,
    ]);
    expect(result.stdout).toBe('');
  });

  it('prints exactly one line for an unknown command and a bad argument', async () => {
    const unknown = await runCli(['users', 'frobnicate']);
    expect(unknown.code).toBe(1);
    expect(linesOf(unknown.stderr)).toHaveLength(1);
    const role = await runCli(['users', 'set-role', 'bob', 'emperor', '--url', server.url]);
    expect(role.code).toBe(1);
    expect(linesOf(role.stderr)).toEqual([
      "error: command-argument value 'emperor' is invalid for argument 'role'. Allowed choices are owner, auditor, member.",
    ]);
  });

  it('prints exactly one line, and makes no owner, when the port is in use', async () => {
    const other = mkdtempSync(join(tmpdir(), 'aibridge-cli-busy-'));
    try {
      const port = new URL(server.url).port;
      const result = await runCli(['server', '--listen', `127.0.0.1:${port}`, '--data-dir', other]);
      expect(result.code).toBe(1);
      expect(linesOf(result.stderr)).toEqual([
        `aibridge: cannot listen on 127.0.0.1:${port}: the address is already in use`,
      ]);
      expect(result.stdout).toBe('');
      expect(existsSync(join(other, 'admin-token'))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('prints exactly one line naming an unreachable --database-url, without its password', async () => {
    const port = await freePort();
    const result = await runCli([
      'server',
      '--database-url',
      `postgres://bridge:hunter2@127.0.0.1:${port}/aibridge`,
    ]);
    expect(result.code).toBe(1);
    expect(linesOf(result.stderr)).toEqual([
      `aibridge: cannot open the database at postgres://bridge:***@127.0.0.1:${port}/aibridge: connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
  });

  it('prints completion scripts for bash, zsh and fish that know the commands', async () => {
    const bash = await runCli(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -o default -F _aibridge aibridge');
    expect(bash.stdout).toMatch(/"users"\) words="create list show suspend activate delete set-role /);
    const fish = await runCli(['completion', 'fish']);
    expect(fish.stdout).toContain(
      "complete -c aibridge -n '__fish_seen_subcommand_from interceptions' -a show",
    );
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.stdout).toContain('bashcompinit');
    const bad = await runCli(['completion', 'powershell']);
    expect(linesOf(bad.stderr)).toHaveLength(1);
  });
});
