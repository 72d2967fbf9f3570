/**
 * Portkey's open-source gateway for comparison, installed on first use into `bench/.portkey/` (git-ignored)
 * with the `@hono/node-server` override that its streaming needs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Child, freePort, repositoryRoot, startScript } from './processes.js';

const version = '1.15.2';
const directory = join(repositoryRoot, 'bench', '.portkey');
const entry = join('node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');

/** Installs Portkey if needed; throws when npm cannot. */
export function installPortkey(): void {
  if (existsSync(join(directory, entry))) return;
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'package.json'),
    `${JSON.stringify(
      {
        name: 'aibridge-bench-portkey',
        private: true,
        dependencies: { '@portkey-ai/gateway': version },
        overrides: { '@hono/node-server': '1.13.8' },
      },
      null,
      2,
    )}\n`,
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: directory,
    stdio: 'inherit',
  });
}

/** Starts Portkey headless on a free port. */
export async function startPortkey(): Promise<Child> {
  const port = await freePort();
  return startScript({ cwd: directory, args: [entry, '--headless', `--port=${port}`], port });
}

/** The headers that point Portkey at an OpenAI-compatible host. */
export function portkeyHeaders(fakeUrl: string): Record<string, string> {
  return {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${fakeUrl}/v1`,
    authorization: 'Bearer sk-bench-direct',
  };
}
