/**
 * `npm run bench:workers`: requests per second at c=32 through the bridge on PostgreSQL with 1 and with
 * 2 worker processes (`--workers`), recording on, against the same fake provider, beside the minimal relay
 * and the provider answered directly. The targets take turns for several rounds, so noise from the rest of
 * the machine falls on each alike; each bridge writes into a scratch database of its own. The load
 * average is printed with the numbers: on a shared machine it says how much of the CPU was ours to use.
 *
 * Env: AIBRIDGE_BENCH_DATABASE_URL (else AIBRIDGE_TEST_DATABASE_URL), required. AIBRIDGE_BENCH_QUICK=1 for
 * a smoke run. AIBRIDGE_BENCH_WORKERS=1,2,4 picks the worker counts (default 1,2).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { closePools, measureThroughput, type Target } from './load.js';
import {
  type Child,
  cpuSecondsOf,
  ownerToken,
  recordingBridgeArgs,
  startBridge,
  startFakeProvider,
  startMinimalRelay,
} from './processes.js';
import { markdownTable, ms, percent, percentile } from './stats.js';

const quick = process.env.AIBRIDGE_BENCH_QUICK === '1';
const rounds = quick ? 1 : 3;
const durationMs = quick ? 1500 : 5000;
const concurrency = 32;
const workerCounts = (process.env.AIBRIDGE_BENCH_WORKERS ?? '1,2').split(',').map(Number);

const body = JSON.stringify({
  model: 'gpt-4.1',
  messages: [
    { role: 'system', content: 'You are a coding assistant working in a TypeScript repository.' },
    { role: 'user', content: 'Read src/main.ts and list the files under src, then explain the entry point.' },
  ],
});

/**
 * CPU seconds a process and its children (a cluster's workers) have used, from Linux `/proc` (clock ticks
 * of 1/100 s); NaN elsewhere. Per request, it says what the bridge costs whatever else runs on the machine.
 */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(' ')
    .filter(Boolean);
  return cpuSecondsOf(pid) + children.reduce((sum, child) => sum + cpuSecondsOf(Number(child)), 0);
}

async function main(): Promise<void> {
  const serverUrl = process.env.AIBRIDGE_BENCH_DATABASE_URL ?? process.env.AIBRIDGE_TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('set AIBRIDGE_BENCH_DATABASE_URL to a PostgreSQL server');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-workers-'));
  const databases: string[] = [];
  const children: Child[] = [];
  try {
    const fake = await startFakeProvider();
    children.push(fake);
    const relay = await startMinimalRelay(`${fake.url}/v1`);
    children.push(relay);
    const targets: Array<Target & { workers?: number; token?: string; base?: string; pid?: number }> = [
      {
        name: 'direct',
        url: `${fake.url}/v1/chat/completions`,
        headers: { authorization: 'Bearer sk-direct' },
      },
      { name: 'minimal relay (reference)', url: `${relay.url}/v1/chat/completions`, headers: {} },
    ];
    for (const workers of workerCounts) {
      const name = `aibridge_bench_w${workers}_${Date.now().toString(36)}`;
      await admin.query(`CREATE DATABASE ${name}`);
      databases.push(name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const tokenFile = join(directory, `token-${workers}`);
      const bridge = await startBridge(
        recordingBridgeArgs({
          dataDir: join(directory, `data-${workers}`),
          tokenFile,
          fakeUrl: fake.url,
          databaseUrl: url.toString(),
          workers,
        }),
      );
      children.push(bridge);
      const token = await ownerToken(tokenFile);
      targets.push({
        name: `bridge (PostgreSQL), ${workers} worker${workers === 1 ? '' : 's'}`,
        url: `${bridge.url}/api/v2/aibridge/openai/v1/chat/completions`,
        headers: { authorization: `Bearer ${token}` },
        workers,
        token,
        base: bridge.url,
        ...(bridge.process.pid === undefined ? {} : { pid: bridge.process.pid }),
      });
    }
    const samples = new Map(
      targets.map((target) => [
        target.name,
        [] as Array<{ perSecond: number; latencies: number[]; errors: number; cpuMsPerRequest: number }>,
      ]),
    );
    const loads: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        process.stderr.write(`round ${round + 1}/${rounds}: ${target.name}…\n`);
        const cpuBefore = cpuSeconds(target.pid);
        const result = await measureThroughput({ target, body, concurrency, durationMs });
        const cpuMsPerRequest =
          ((cpuSeconds(target.pid) - cpuBefore) * 1000) / (result.requests + concurrency);
        samples.get(target.name)?.push({ ...result, cpuMsPerRequest });
        loads.push(loadavg()[0] ?? Number.NaN);
      }
    }
    // Every request through a bridge is recorded: the query API's count says so once the writers are done.
    const recorded: string[] = [];
    for (const target of targets) {
      if (!target.base) continue;
      const sent = (samples.get(target.name) ?? []).reduce(
        (sum, sample) => sum + sample.latencies.length + concurrency,
        0,
      );
      let count = 0;
      for (let tries = 0; tries < 600; tries++) {
        const response = await fetch(`${target.base}/api/v2/aibridge/interceptions?limit=1`, {
          headers: { 'coder-session-token': target.token ?? '' },
        });
        count = ((await response.json()) as { count: number }).count;
        if (count >= sent) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      recorded.push(`${target.name}: ${count} recorded of ${sent} sent`);
    }
    const relayRate = median((samples.get('minimal relay (reference)') ?? []).map((s) => s.perSecond));
    const oneWorker = median(
      (samples.get(targets.find((t) => t.workers === 1)?.name ?? '') ?? []).map((s) => s.perSecond),
    );
    const rows = targets.map((target) => {
      const list = samples.get(target.name) ?? [];
      const rate = median(list.map((sample) => sample.perSecond));
      const latencies = list.flatMap((sample) => sample.latencies);
      return [
        target.name,
        list.map((sample) => sample.perSecond.toFixed(0)).join(' / '),
        rate.toFixed(0),
        percent(rate / relayRate),
        target.workers ? percent(rate / oneWorker) : '',
        `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}`,
        target.pid ? median(list.map((sample) => sample.cpuMsPerRequest)).toFixed(3) : '',
        String(list.reduce((sum, sample) => sum + sample.errors, 0)),
      ];
    });
    process.stdout.write(
      `${markdownTable(
        [
          'target',
          `c=${concurrency} req/s per round`,
          'median',
          'of relay',
          'of 1 worker',
          'p50 / p99',
          'bridge CPU ms / request',
          'errors',
        ],
        rows,
      )}\n\n${recorded.join('; ')}\n` +
        `${availableParallelism()} cores; 1-min load average during the rounds ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}; ` +
        `${rounds} rounds of ${durationMs / 1000} s closed loop per target, targets in turn\n`,
    );
  } finally {
    await closePools();
    for (const child of children.reverse()) await child.stop();
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(directory, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

await main();
