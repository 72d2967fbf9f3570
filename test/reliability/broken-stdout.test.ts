import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startServerProcess } from '../support/processes.js';

const directory = mkdtempSync(join(tmpdir(), 'aibridge-broken-stdout-'));
let serverPid: number | undefined;
afterAll(() => {
  // Also when the test timed out with the server spinning: never leave it running.
  if (serverPid !== undefined) {
    try {
      process.kill(serverPid, 'SIGKILL');
    } catch {}
  }
  rmSync(directory, { recursive: true, force: true });
});

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

it('keeps serving, and stays idle, when the pipe its log goes to is closed', async () => {
  const server = await startServerProcess(['--data-dir', directory, '--log-level', 'info']);
  const pid = server.child.pid ?? 0;
  serverPid = pid;
  try {
    // The reader of the server's output goes away, as when `aibridge server | head` ends.
    server.child.stdout?.destroy();
    // Each request logs a line (into the closed pipe).
    for (let index = 0; index < 40; index++) {
      const response = await fetch(`${server.url}/api/v2/aibridge/interceptions`);
      expect(response.status).toBe(401);
    }
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    // Then nothing asks anything of it. Idleness can only be seen over time, so this waits (no event marks
    // "still idle"): a server looping on its own failed log writes uses the whole second, an idle one none
    // of it. Measured idle, not while serving, so start-up work and request handling do not count.
    const before = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(cpuSeconds(pid) - before).toBeLessThan(0.5);
    expect(server.child.exitCode).toBeNull();
  } finally {
    server.child.kill('SIGKILL');
  }
}, 60_000);
