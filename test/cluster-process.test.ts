import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeProvider } from './fake-provider/fake-provider.js';
import { createScratchDatabase, testEngines } from './support/databases.js';
import { freePort, runCli, type ServerProcess, startServerProcess } from './support/processes.js';

interface WireInterception {
  id: string;
  ended_at: string | null;
  metadata: Record<string, unknown>;
  user_prompts: Array<{ prompt: string }>;
}

/** The JSON log lines a server process wrote so far. */
function logLines(server: ServerProcess): Array<Record<string, unknown>> {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Polls `check` every 50 ms until it returns a value (not undefined), or fails after `ms`. */
async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every file below a directory, recursively. */
function filesBelow(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesBelow(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

/** The sum of a metric's samples in a Prometheus text scrape (all label sets). */
function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('aibridge server --workers on the embedded database', () => {
  it('refuses more than one worker in one line and exit code 2', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aibridge-workers-'));
    try {
      const result = await runCli(['server', '--data-dir', dataDir, '--workers', '2']);
      expect(result).toMatchObject({
        code: 2,
        stderr:
          'aibridge: 2 workers need a PostgreSQL database (--database-url): the embedded database serves one process\n',
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

for (const engine of testEngines().filter((name) => name === 'postgres')) {
  describe(`aibridge server --workers 2 [${engine}]`, () => {
    const directory = mkdtempSync(join(tmpdir(), 'aibridge-workers-'));
    const tokenFile = join(directory, 'admin-token');
    let databaseUrl = '';
    let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
    let fake: FakeProvider;
    let server: ServerProcess;
    let metricsPort: number;
    let token: string;
    /** A client on connections of its own: the cluster hands each new connection to the next worker. */
    const client = () => {
      const dispatcher = new Agent();
      return {
        openai: new OpenAI({
          baseURL: `${server.url}/api/v2/aibridge/openai/v1`,
          apiKey: token,
          maxRetries: 0,
          // undici's own fetch: Node's built-in one takes no dispatcher of a newer undici.
          fetch: undiciFetch as unknown as typeof fetch,
          fetchOptions: { dispatcher } as OpenAI['fetchOptions'],
        }),
        close: () => dispatcher.close(),
        /** Drops its connections, also those whose response never ends. */
        destroy: () => dispatcher.destroy(),
      };
    };
    const interceptions = async (): Promise<WireInterception[]> => {
      const response = await fetch(`${server.url}/api/v2/aibridge/interceptions?limit=1000`, {
        headers: { 'coder-session-token': token },
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { results: WireInterception[] }).results;
    };

    beforeAll(async () => {
      fake = await FakeProvider.start();
      scratch = await createScratchDatabase('aibridge_workers');
      databaseUrl = scratch.url;
      metricsPort = await freePort();
      server = await startServerProcess([
        '--workers',
        '2',
        '--data-dir',
        directory,
        '--admin-token-file',
        tokenFile,
        '--database-url',
        databaseUrl,
        '--openai-base-url',
        `${fake.url}/v1`,
        '--openai-key',
        'sk-central-openai',
        '--metrics-listen',
        `127.0.0.1:${metricsPort}`,
        '--shutdown-grace',
        '20s',
        '--log-format',
        'json',
      ]);
      token = readFileSync(tokenFile, 'utf8').trim();
    }, 90_000);
    afterAll(async () => {
      await server?.stop();
      await fake?.close();
      await scratch?.drop();
      rmSync(directory, { recursive: true, force: true });
    });

    it('starts two workers, prints one start line and one banner, and answers /readyz from each', async () => {
      const lines = logLines(server);
      const workers = lines.filter((line) => line.msg === 'worker listening');
      expect(workers.map((line) => line.worker).sort()).toEqual([1, 2]);
      expect(new Set(workers.map((line) => line.pid)).size).toBe(2);
      expect(lines.filter((line) => line.msg === 'aibridge listening')).toMatchObject([
        { workers: 2, engine: 'postgres', adminCreated: true },
      ]);
      expect(server.output().split('AI Bridge is listening on').length - 1).toBe(1);
      expect(server.output().split('Created the owner "admin"').length - 1).toBe(1);
      // Two fresh connections go to the two workers in turn; each answers from its own database pool.
      const answers = await Promise.all(
        [new Agent(), new Agent()].map(async (dispatcher) => {
          const response = await undiciFetch(`${server.url}/readyz`, { dispatcher });
          await dispatcher.close();
          return { status: response.status, body: await response.json() };
        }),
      );
      expect(answers).toEqual([
        { status: 200, body: { status: 'ready', checks: { database: 'ok', migrations: 'ok' } } },
        { status: 200, body: { status: 'ready', checks: { database: 'ok', migrations: 'ok' } } },
      ]);
    });

    it('prints one line and exits 1 when the port is in use, as one process does', async () => {
      const other = mkdtempSync(join(tmpdir(), 'aibridge-workers-busy-'));
      try {
        const port = new URL(server.url).port;
        const result = await runCli([
          'server',
          '--workers',
          '2',
          '--listen',
          `127.0.0.1:${port}`,
          '--data-dir',
          other,
          '--database-url',
          databaseUrl,
        ]);
        expect(result).toMatchObject({
          code: 1,
          stderr: `aibridge: cannot listen on 127.0.0.1:${port}: the address is already in use\n`,
        });
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

    it('records every request made through the SDK, handled by both workers, and sums their metrics', async () => {
      const before = (await interceptions()).length;
      const clients = Array.from({ length: 4 }, client);
      const ids = (
        await Promise.all(
          clients.map(async ({ openai }, index) => {
            const made: string[] = [];
            for (let round = 0; round < 10; round++) {
              const { response } = await openai.chat.completions
                .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: `c${index} r${round}` }] })
                .withResponse();
              made.push(response.headers.get('x-aibridge-interception-id') ?? '');
            }
            return made;
          }),
        )
      ).flat();
      await Promise.all(clients.map(({ close }) => close()));
      const recorded = await eventually(async () => {
        const rows = await interceptions();
        return rows.length === before + ids.length ? rows : undefined;
      });
      for (const id of ids) expect(recorded.some((row) => row.id === id)).toBe(true);
      const handledBy = new Set(
        logLines(server)
          .filter((line) => typeof line.interceptionId === 'string' && ids.includes(line.interceptionId))
          .map((line) => line.worker),
      );
      expect(handledBy).toEqual(new Set([1, 2]));

      // One scrape of the primary sees what both workers counted, not one worker's share.
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metricSum(text, 'aibridge_interceptions_total')).toBe(before + ids.length);
      expect(metricSum(text, 'aibridge_recorder_interceptions_written_total')).toBe(before + ids.length);
    }, 60_000);

    it('replaces a SIGKILLed worker, which writes the interceptions it was serving as interrupted', async () => {
      const lines = logLines(server);
      const victim = lines.find((line) => line.msg === 'worker listening' && line.worker === 1);
      const pid = Number(victim?.pid);
      expect(pid).toBeGreaterThan(0);
      const clients = Array.from({ length: 4 }, client);
      for (const _ of clients)
        fake.script({ kind: 'stall', fixture: 'openai-chat/stream-text.sse', afterEvents: 2 });
      const streams = await Promise.all(
        clients.map(async ({ openai }, index) => {
          const prompt = `stalled ${index}`;
          const response = await openai.chat.completions
            .create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: prompt }] })
            .asResponse();
          return { id: response.headers.get('x-aibridge-interception-id') ?? '', prompt, response };
        }),
      );
      const scrape = async () =>
        metricSum(
          await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
          'aibridge_interceptions_total',
        );
      const countedBeforeKill = await scrape();
      expect(countedBeforeKill).toBeGreaterThan(0);
      process.kill(pid, 'SIGKILL');
      // The victim's streams break off; the other worker's stay open (the fake never ends them).
      const cut = await Promise.all(
        streams.map(({ response }) =>
          Promise.race([
            response.text().then(
              () => true,
              () => true,
            ),
            new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1500)),
          ]),
        ),
      );
      // Each new connection goes to the next worker, so both hold some of the streams.
      const killed = streams.filter((_, index) => cut[index]);
      expect(killed.length).toBeGreaterThan(0);
      expect(killed.length).toBeLessThan(streams.length);

      const replaced = await eventually(() =>
        logLines(server).find((line) => line.msg === 'worker replaced' && line.worker === 1),
      );
      expect(replaced.pid).not.toBe(pid);
      // What the dead worker had counted stays in the sum: a counter that fell would read as a reset.
      expect(await scrape()).toBeGreaterThanOrEqual(countedBeforeKill);
      const stopped = logLines(server).find(
        (line) => line.msg === 'a worker stopped unexpectedly; starting a new one',
      );
      expect(stopped).toMatchObject({ worker: 1, pid, signal: 'SIGKILL' });
      // The new worker 1 replayed the journal its predecessor left, before it listened.
      expect(
        logLines(server).find(
          (line) =>
            line.worker === 1 &&
            line.msg === 'writing the interceptions an earlier run left in its crash journal',
        ),
      ).toMatchObject({ finished: 0, interrupted: killed.length });
      const rows = await interceptions();
      for (const { id, prompt } of killed) {
        const row = rows.find((candidate) => candidate.id === id);
        expect(row, `interception ${id}`).toMatchObject({ ended_at: expect.any(String) });
        expect(row?.metadata).toMatchObject({ interrupted: true });
        expect(row?.user_prompts.map((entry) => entry.prompt)).toEqual([prompt]);
      }
      const journal = join(directory, 'journal', 'worker-1');
      expect(filesBelow(journal).filter((path) => statSync(path).size > 0)).toEqual([]);
      // The survivors' clients give up; the other worker records them as the client went away.
      await Promise.all(clients.map(({ destroy }) => destroy()));
    }, 60_000);

    it('drains both workers on SIGTERM: streams in flight finish and are recorded, then exit 0', async () => {
      const clients = Array.from({ length: 4 }, client);
      for (const _ of clients)
        fake.script({ kind: 'fixture', fixture: 'openai-chat/stream-text.sse', delayMs: 150 });
      const streams = await Promise.all(
        clients.map(async ({ openai }, index) => {
          const response = await openai.chat.completions
            .create({
              model: 'gpt-4.1',
              stream: true,
              messages: [{ role: 'user', content: `drain ${index}` }],
            })
            .asResponse();
          return { id: response.headers.get('x-aibridge-interception-id') ?? '', response };
        }),
      );
      // Every stream has its headers: all four are in flight when the signal comes.
      const exited = once(server.child, 'exit');
      server.child.kill('SIGTERM');
      const bodies = await Promise.all(streams.map(({ response }) => response.text()));
      for (const body of bodies) expect(body).toContain('data: [DONE]');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      const ids = streams.map(({ id }) => id);
      const handledBy = new Set(
        logLines(server)
          .filter((line) => typeof line.interceptionId === 'string' && ids.includes(line.interceptionId))
          .map((line) => line.worker),
      );
      expect(handledBy).toEqual(new Set([1, 2]));
      expect(logLines(server).filter((line) => line.msg === 'worker stopped')).toHaveLength(2);
      await Promise.all(clients.map(({ close }) => close()));

      const check = new pg.Client({ connectionString: databaseUrl });
      await check.connect();
      try {
        const { rows } = await check.query<{ id: string; error: string | null; ended_at: Date | null }>(
          'SELECT id, error, ended_at FROM aibridge_interceptions WHERE id = ANY($1)',
          [streams.map(({ id }) => id)],
        );
        expect(rows).toHaveLength(streams.length);
        for (const row of rows) expect(row).toMatchObject({ error: null, ended_at: expect.any(Date) });
      } finally {
        await check.end();
      }
      const journal = join(directory, 'journal');
      expect(filesBelow(journal).filter((path) => statSync(path).size > 0)).toEqual([]);
    }, 60_000);
  });
}
