/**
 * `npm run bench:streams`: memory of the bridge while 1,000 streams are in flight at once (the performance
 * issue's target: RSS ≤ 300 MB). The fake provider runs in this process and holds every stream after its
 * first event (`holdStreams`), so all of them are certainly open when the memory is read, without timing;
 * then it lets them finish and the bridge must record every one. The minimal relay is measured the same
 * way as the floor of one Node hop; each bridge is one process (`--workers 1`) with recording on.
 *
 * Env: AIBRIDGE_BENCH_DATABASE_URL (else AIBRIDGE_TEST_DATABASE_URL) for the PostgreSQL bridge (without
 * one, PGlite only); AIBRIDGE_BENCH_STREAMS (default 1000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { FakeProvider } from '../../test/fake-provider/fake-provider.js';
import {
  type Child,
  memoryOf,
  ownerToken,
  recordingBridgeArgs,
  startBridge,
  startMinimalRelay,
} from './processes.js';
import { markdownTable } from './stats.js';

const streams = Number(process.env.AIBRIDGE_BENCH_STREAMS ?? 1000);
const serverUrl = process.env.AIBRIDGE_BENCH_DATABASE_URL ?? process.env.AIBRIDGE_TEST_DATABASE_URL;
const body = JSON.stringify({
  model: 'gpt-4.1',
  stream: true,
  messages: [
    { role: 'system', content: 'You are a coding assistant working in a TypeScript repository.' },
    { role: 'user', content: 'Read src/main.ts and list the files under src.' },
  ],
});

interface Target {
  name: string;
  child: Child;
  url: string;
  headers: Record<string, string>;
  /** Interceptions recorded so far (bridges only). */
  recorded?: () => Promise<number>;
}

interface Measured {
  /** RSS right after the warm-up, while V8 may still be compiling what it ran. */
  warm: number;
  /** RSS once it stopped moving, and how long that took. */
  idle: number;
  settledMs: number;
  held: number;
  peak: number;
  errors: number;
  recorded: string;
}

/** Opens `streams` streaming requests at once, reads the memory while all are held, then lets them end. */
async function measure(fake: FakeProvider, target: Target): Promise<Measured> {
  const url = new URL(target.url);
  const pool = new Pool(url.origin, { connections: streams, pipelining: 1 });
  const send = () =>
    pool.request({
      method: 'POST',
      path: url.pathname,
      headers: { 'content-type': 'application/json', ...target.headers },
      body,
    });
  try {
    // Warm-up: the code paths compiled, the upstream pool's first connections open.
    for (let index = 0; index < 50; index++) await (await send()).body.text();
    const warm = memoryOf(target.child.process.pid)?.rss ?? Number.NaN;
    // V8 optimises hot code on background threads after it ran (PGlite's WebAssembly most of all, whose
    // compilations take hundreds of MiB while they run): a server's idle memory is read once that is over.
    const settled = await settledRss(target.child.process.pid);
    const before = target.recorded ? await target.recorded() : 0;
    const release = fake.holdStreams();
    let firstEvents = 0;
    let allOpen: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      allOpen = resolve;
    });
    let errors = 0;
    const finished = Array.from({ length: streams }, async () => {
      try {
        const response = await send();
        let first = true;
        for await (const _chunk of response.body) {
          if (first) {
            first = false;
            firstEvents += 1;
            if (firstEvents === streams) allOpen();
          }
        }
        if (response.statusCode !== 200) errors += 1;
      } catch {
        errors += 1;
        firstEvents += 1;
        if (firstEvents === streams) allOpen();
      }
    });
    await opened;
    const held = memoryOf(target.child.process.pid);
    release();
    await Promise.all(finished);
    let recorded = '—';
    if (target.recorded) {
      // The records land within the recorder's linger; wait for them (bounded) and report what arrived.
      let count = 0;
      for (let attempt = 0; attempt < 100; attempt++) {
        count = (await target.recorded()) - before;
        if (count >= streams) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      recorded = `${count} of ${streams}`;
    }
    return {
      warm,
      idle: settled.rss,
      settledMs: settled.ms,
      held: held?.rss ?? Number.NaN,
      peak: memoryOf(target.child.process.pid)?.peak ?? Number.NaN,
      errors,
      recorded,
    };
  } finally {
    await pool.close();
  }
}

/** RSS once 2 s of readings stay within 1 % of each other (at most 60 s), and how long that took. */
async function settledRss(pid: number | undefined): Promise<{ rss: number; ms: number }> {
  const began = performance.now();
  const readings: number[] = [];
  for (;;) {
    readings.push(memoryOf(pid)?.rss ?? Number.NaN);
    const last = readings.slice(-8);
    const steady = last.length === 8 && Math.max(...last) - Math.min(...last) <= 0.01 * Math.min(...last);
    if (steady || performance.now() - began > 60_000) {
      return { rss: last.at(-1) ?? Number.NaN, ms: performance.now() - began };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function startBridgeTarget(
  name: string,
  fakeUrl: string,
  directory: string,
  databaseUrl: string | null,
  options: { nodeFlags?: string[]; restarted?: boolean } = {},
): Promise<Target> {
  const dataDir = join(directory, name.replace(/\W+/g, '-'));
  const tokenFile = join(dataDir, 'token');
  const start = () =>
    startBridge(
      recordingBridgeArgs({ dataDir, tokenFile, fakeUrl, databaseUrl }),
      {},
      undefined,
      options.nodeFlags ?? [],
    );
  // `restarted`: as a deployment lives after its first start, on a data directory that already exists.
  if (options.restarted) {
    const first = await start();
    try {
      await ownerToken(tokenFile);
    } finally {
      await first.stop();
    }
  }
  const child = await start();
  let token: string;
  try {
    token = await ownerToken(tokenFile);
  } catch (error) {
    // Not a target yet, so main's cleanup would not stop it: no bridge outlives the benchmark.
    await child.stop();
    throw error;
  }
  const headers = { authorization: `Bearer ${token}` };
  return {
    name,
    child,
    url: `${child.url}/api/v2/aibridge/openai/v1/chat/completions`,
    headers,
    recorded: async () => {
      const response = await fetch(`${child.url}/api/v2/aibridge/interceptions?limit=1`, { headers });
      return ((await response.json()) as { count: number }).count;
    },
  };
}

async function main(): Promise<void> {
  const fake = await FakeProvider.start();
  fake.recordExchanges = false;
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-streams-'));
  const admin = serverUrl ? new pg.Client({ connectionString: serverUrl }) : null;
  const database = `aibridge_bench_streams_${Date.now().toString(36)}`;
  const targets: Target[] = [];
  try {
    const relay = await startMinimalRelay(`${fake.url}/v1`);
    targets.push({
      name: 'minimal relay (reference)',
      child: relay,
      url: `${relay.url}/v1/chat/completions`,
      headers: {},
    });
    targets.push(await startBridgeTarget('bridge (PGlite)', fake.url, directory, null));
    targets.push(
      await startBridgeTarget('bridge (PGlite, restarted)', fake.url, directory, null, { restarted: true }),
    );
    // V8 compiles PGlite's hottest WebAssembly functions a second time, optimised, which takes memory;
    // `--liftoff-only` keeps the baseline code (a process flag: Node takes V8's flags only there).
    targets.push(
      await startBridgeTarget('bridge (PGlite, restarted, node --liftoff-only)', fake.url, directory, null, {
        restarted: true,
        nodeFlags: ['--liftoff-only'],
      }),
    );
    if (admin) {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      const url = new URL(serverUrl ?? '');
      url.pathname = `/${database}`;
      targets.push(await startBridgeTarget('bridge (PostgreSQL)', fake.url, directory, url.toString()));
    }
    const rows: string[][] = [];
    for (const target of targets) {
      process.stderr.write(`${target.name}: ${streams} streams…\n`);
      const result = await measure(fake, target);
      const mib = (value: number) => `${value.toFixed(0)} MiB`;
      rows.push([
        target.name,
        mib(result.warm),
        `${mib(result.idle)} (${(result.settledMs / 1000).toFixed(1)} s)`,
        mib(result.held),
        mib(result.held - result.idle),
        `${(((result.held - result.idle) * 1024) / streams).toFixed(1)} KiB`,
        mib(result.peak),
        String(result.errors),
        result.recorded,
      ]);
    }
    console.log(
      `Concurrent streams — ${new Date().toISOString()}, Node ${process.version}: ${streams} streaming Chat Completions requests held open at once after their first event`,
    );
    console.log(
      markdownTable(
        [
          'target',
          'RSS after warm-up',
          'RSS settled (after)',
          `RSS with ${streams} open`,
          'added (over settled)',
          'per stream',
          'peak RSS',
          'errors',
          'recorded',
        ],
        rows,
      ),
    );
  } finally {
    await Promise.all(targets.map((target) => target.child.stop()));
    await fake.close();
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
      await admin.end();
    }
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
