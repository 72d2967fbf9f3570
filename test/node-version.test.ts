import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs the `aibridge` executable with `process.versions.node` made to read `version`. */
async function runAs(version: string, args: string[]) {
  const pretend = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '${version}' } });`;
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(pretend)}`,
      '--import',
      'tsx',
      'src/cli/bin.ts',
      ...args,
    ],
    { cwd: root },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stdout, stderr };
}

describe('the aibridge executable on an unsupported Node.js', () => {
  it('prints one line naming the required version and loads nothing else', async () => {
    expect(await runAs('20.19.5', ['--version'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'aibridge: Node.js 22 or newer is required; this is Node.js 20.19.5\n',
    });
  });

  it('runs on Node.js 22', async () => {
    const result = await runAs('22.0.0', ['--version']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
