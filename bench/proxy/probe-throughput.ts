/**
 * `npm run bench:cpu`: where a proxied request's CPU goes at c=32. The same blocking request goes to the
 * fake provider directly, through the minimal relay and through the bridge, in alternating rounds; for
 * each it prints requests/s and the CPU microseconds per request of every process involved (the proxy,
 * the fake provider, PostgreSQL's backends, the load generator), read from /proc. Throughput on a shared
 * 2-core machine is all of them competing for the same cores, so the CPU split says what to cut.
 *
 * Env: AIBRIDGE_BENCH_DATABASE_URL (a PostgreSQL server URL; default the local one), PROBE_PGLITE=1 (the
 * embedded database instead), PROBE_ROUNDS, PROBE_MS, PROBE_BASE=<checkout> (also run the bridge of
 * another checkout, e.g. a worktree of main, as an A/B in the same run), PROBE_BRIDGE_NODE_OPTIONS
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` for a profile of the bridge).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const body = JSON.stringify({
  model: 'gpt-4.1',
  messages: [
    { role: 'system', content: 'You are a coding assistant working in a TypeScript repository.' },
    { role: 'user', content: 'Read src/main.ts and list the files under src.' },
  ],
});
const rounds = Number(process.env.PROBE_ROUNDS ?? 3);
const durationMs = Number(process.env.PROBE_MS ?? 4000);
const serverUrl = process.env.AIBRIDGE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const usePglite = process.env.PROBE_PGLITE === '1';
const baseRoot = process.env.PROBE_BASE;

/** CPU seconds of every postgres process (other users of the server count too: read it as a trend). */
function postgresCpu(): number {
  let sum = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        sum += cpuSecondsOf(Number(entry));
    } catch {}
  }
  return sum;
}

const directory = mkdtempSync(join(tmpdir(), 'aibridge-probe-'));
const admin = new pg.Client({ connectionString: serverUrl });
const databases: string[] = [];

async function startBridgeFrom(name: string, root: string | undefined, fakeUrl: string) {
  const dataDir = join(directory, name);
  const tokenFile = join(dataDir, 'token');
  let databaseUrl: string | null = null;
  if (!usePglite) {
    const database = `aibridge_probe_${name}_${Date.now().toString(36)}`;
    await admin.query(`CREATE DATABASE ${database}`);
    databases.push(database);
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  const nodeOptions = process.env.PROBE_BRIDGE_NODE_OPTIONS;
  const child = await startBridge(
    // One process, as the relay is, unless PROBE_WORKERS says more.
    recordingBridgeArgs({
      dataDir,
      tokenFile,
      fakeUrl,
      databaseUrl,
      workers: process.env.PROBE_WORKERS ?? 1,
    }),
    nodeOptions ? { NODE_OPTIONS: nodeOptions } : {},
    root,
  );
  const token = await ownerToken(tokenFile);
  const target: Target = {
    name,
    url: `${child.url}/api/v2/aibridge/openai/v1/chat/completions`,
    headers: { authorization: `Bearer ${token}` },
  };
  return { child, target };
}

async function main(): Promise<void> {
  if (!usePglite) await admin.connect();
  const fake = await startFakeProvider();
  const relay = await startMinimalRelay(`${fake.url}/v1`);
  const children: Child[] = [fake, relay];
  try {
    const entries: Array<{ target: Target; pid: number | undefined }> = [
      {
        target: {
          name: 'direct',
          url: `${fake.url}/v1/chat/completions`,
          headers: { authorization: 'Bearer x' },
        },
        pid: undefined,
      },
      {
        target: { name: 'relay', url: `${relay.url}/v1/chat/completions`, headers: {} },
        pid: relay.process.pid,
      },
    ];
    for (const [name, root] of [['bridge', undefined], ...(baseRoot ? [['base', baseRoot]] : [])] as const) {
      const bridge = await startBridgeFrom(name, root, fake.url);
      children.push(bridge.child);
      entries.push({ target: bridge.target, pid: bridge.child.process.pid });
    }
    const rates = new Map<string, number[]>();
    const cpu = new Map<string, number[][]>();
    for (let round = 0; round < rounds; round++) {
      for (const { target, pid } of entries) {
        const before = [cpuSecondsOf(pid), cpuSecondsOf(fake.process.pid), postgresCpu()];
        const generator = process.cpuUsage();
        const result = await measureThroughput({ target, body, concurrency: 32, durationMs });
        const used = process.cpuUsage(generator);
        const after = [cpuSecondsOf(pid), cpuSecondsOf(fake.process.pid), postgresCpu()];
        const perRequest = [
          ...after.map((value, index) => ((value - (before[index] ?? 0)) / result.requests) * 1e6),
          ((used.user + used.system) / result.requests) * 1,
        ];
        rates.set(target.name, [...(rates.get(target.name) ?? []), result.perSecond]);
        cpu.set(target.name, [...(cpu.get(target.name) ?? []), perRequest]);
        process.stderr.write(`${target.name}: ${result.perSecond.toFixed(0)}/s, errors ${result.errors}\n`);
      }
    }
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const direct = mean(rates.get('direct') ?? []);
    const relayRate = mean(rates.get('relay') ?? []);
    console.log(
      '| target | requests/s | % of direct | % of relay | CPU µs/request: proxy | fake | postgres | generator |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const { target } of entries) {
      const rate = mean(rates.get(target.name) ?? []);
      const columns = [0, 1, 2, 3].map((column) =>
        mean((cpu.get(target.name) ?? []).map((row) => row[column] ?? 0)).toFixed(0),
      );
      if (target.name === 'direct') columns[0] = '—';
      console.log(
        `| ${target.name} | ${rate.toFixed(0)} | ${((rate / direct) * 100).toFixed(0)} % | ${((rate / relayRate) * 100).toFixed(0)} % | ${columns.join(' | ')} |`,
      );
    }
  } finally {
    await closePools();
    await Promise.all(children.map((child) => child.stop()));
    for (const database of databases) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    if (!usePglite) await admin.end();
  }
}

await main();
