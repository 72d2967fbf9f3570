/**
 * `npm run bench`: the proxy's added latency, time to first streamed byte, throughput and recording rate,
 * measured in one run against one fake provider answered directly, through the bridge (PGlite and
 * PostgreSQL, recording on) and through Portkey's gateway. Prints Markdown tables.
 *
 * Each bridge's database holds a history of 100k interceptions before it starts. PGlite runs three ways:
 * in its worker reached over a MessagePort (the default), the same worker over its Unix socket, and on the
 * proxy's own thread as before (the baseline). A last phase repeats the c=1 latency with the query API's
 * heaviest requests looping against the same bridge.
 *
 * Env: AIBRIDGE_BENCH_DATABASE_URL (else AIBRIDGE_TEST_DATABASE_URL) names a PostgreSQL server where a
 * scratch database is created and dropped; without one the PostgreSQL rows are skipped.
 * AIBRIDGE_BENCH_QUICK=1 shortens every phase (for a smoke run).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { conversationBody, responsesConversationBody } from './conversation-body.js';
import { measureCrashSafetyCost } from './journal-cost.js';
import { closePools, measureSequential, measureThroughput, type Target } from './load.js';
import { installPortkey, portkeyHeaders, startPortkey } from './portkey.js';
import {
  type Child,
  memoryOf,
  ownerToken,
  recordingBridgeArgs,
  startBridge,
  startFakeProvider,
  startMinimalRelay,
} from './processes.js';
import { prepareHistory, startQueryLoop } from './query-load.js';
import { addedMs, markdownTable, ms, percent, percentile } from './stats.js';
import { measureWritePath } from './write-path.js';

const quick = process.env.AIBRIDGE_BENCH_QUICK === '1';
const settings = {
  latencyRounds: quick ? 2 : 6,
  latencyPerRound: quick ? 50 : 250,
  bodySizePerRound: quick ? 10 : 60,
  ttfbPerRound: quick ? 30 : 120,
  throughputMs: quick ? 1500 : 6000,
  concurrency: 32,
  writerCount: quick ? 2000 : 20_000,
  historyInterceptions: quick ? 5000 : 100_000,
};

/** The ways the embedded database is reached (AIBRIDGE_EMBEDDED_TRANSPORT), the default first. */
const pgliteVariants = [
  { name: 'bridge (PGlite)', slug: 'pglite-port', transport: 'port' },
  { name: 'bridge (PGlite, Unix socket)', slug: 'pglite-socket', transport: 'socket' },
  { name: 'bridge (PGlite, in-thread, before)', slug: 'pglite-inline', transport: 'inline' },
] as const;

const prompt = 'Read src/main.ts and list the files under src, then explain what the entry point does.';
const blockingBody = JSON.stringify({
  model: 'gpt-4.1',
  messages: [
    { role: 'system', content: 'You are a coding assistant working in a TypeScript repository.' },
    { role: 'user', content: prompt },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'read_file',
        parameters: { type: 'object', properties: { path: { type: 'string' } } },
      },
    },
    {
      type: 'function',
      function: {
        name: 'list_dir',
        parameters: { type: 'object', properties: { path: { type: 'string' } } },
      },
    },
  ],
});
const streamingBody = JSON.stringify({ ...JSON.parse(blockingBody), stream: true });
/** Request body sizes of the body-size dimension: a first turn, a mid-session turn, a late one. */
const bodySizes = [1024, 50 * 1024, 500 * 1024];

interface Bridge {
  name: string;
  child: Child & { startedMs: number };
  token: string;
  target: Target;
}

async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const serverUrl = process.env.AIBRIDGE_BENCH_DATABASE_URL ?? process.env.AIBRIDGE_TEST_DATABASE_URL;
  if (!serverUrl) return null;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (error) {
    process.stderr.write(`PostgreSQL not reachable (${String(error)}); skipping the PostgreSQL rows\n`);
    return null;
  }
  const name = `aibridge_bench_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function startBridgeTarget(input: {
  name: string;
  fakeUrl: string;
  databaseUrl: string | null;
  dataDir: string;
  tokenFile: string;
  env?: NodeJS.ProcessEnv;
}): Promise<Bridge> {
  const child = await startBridge(recordingBridgeArgs(input), input.env);
  const token = await ownerToken(input.tokenFile);
  const target = {
    name: input.name,
    url: `${child.url}/api/v2/aibridge/openai/v1/chat/completions`,
    headers: { authorization: `Bearer ${token}` },
  };
  return { name: input.name, child, token, target };
}

/** Ended interceptions the bridge has written, through its query API. */
async function recordedCount(bridge: Bridge): Promise<number> {
  const response = await fetch(`${bridge.child.url}/api/v2/aibridge/interceptions?limit=1`, {
    headers: { 'coder-session-token': bridge.token },
  });
  return ((await response.json()) as { count: number }).count;
}

/** Interceptions written per second from `startedAt` until `expected` are written. */
async function recordingRate(
  bridge: Bridge,
  expected: number,
  before: number,
  startedAt: number,
): Promise<{ perSecond: number; lagMs: number }> {
  const loadEnded = performance.now();
  const deadline = loadEnded + 120_000;
  for (;;) {
    const count = await recordedCount(bridge);
    if (count >= expected || performance.now() > deadline) {
      const now = performance.now();
      return { perSecond: ((count - before) / (now - startedAt)) * 1000, lagMs: now - loadEnded };
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-'));
  const database = await scratchDatabase();
  const fake = await startFakeProvider();
  const children: Child[] = [fake];
  try {
    const direct: Target = {
      name: 'direct',
      url: `${fake.url}/v1/chat/completions`,
      headers: { authorization: 'Bearer sk-bench-direct' },
    };
    const relayChild = await startMinimalRelay(`${fake.url}/v1`);
    children.push(relayChild);
    const relay: Target = {
      name: 'minimal relay (reference)',
      url: `${relayChild.url}/v1/chat/completions`,
      headers: {},
    };
    process.stderr.write(`writing ${settings.historyInterceptions} interceptions of history…\n`);
    const pgliteHistory = join(directory, 'pglite-history');
    const pgliteToken = join(directory, 'pglite-admin-token');
    await prepareHistory({
      store: { dataDir: join(pgliteHistory, 'pgdata') },
      tokenFile: pgliteToken,
      interceptions: settings.historyInterceptions,
    });
    const bridges: Bridge[] = [];
    for (const variant of pgliteVariants) {
      const dataDir = join(directory, variant.slug);
      cpSync(pgliteHistory, dataDir, { recursive: true });
      bridges.push(
        await startBridgeTarget({
          name: variant.name,
          fakeUrl: fake.url,
          databaseUrl: null,
          dataDir,
          tokenFile: pgliteToken,
          env: { AIBRIDGE_EMBEDDED_TRANSPORT: variant.transport },
        }),
      );
    }
    if (database) {
      const tokenFile = join(directory, 'postgres-admin-token');
      await prepareHistory({
        store: { databaseUrl: database.url },
        tokenFile,
        interceptions: settings.historyInterceptions,
      });
      bridges.push(
        await startBridgeTarget({
          name: 'bridge (PostgreSQL)',
          fakeUrl: fake.url,
          databaseUrl: database.url,
          dataDir: join(directory, 'postgres'),
          tokenFile,
        }),
      );
    }
    children.push(...bridges.map((bridge) => bridge.child));
    let portkey: Target | null = null;
    let portkeyChild: Child | null = null;
    try {
      installPortkey();
      portkeyChild = await startPortkey();
      children.push(portkeyChild);
      portkey = {
        name: 'Portkey 1.15.2',
        url: `${portkeyChild.url}/v1/chat/completions`,
        headers: portkeyHeaders(fake.url),
      };
    } catch (error) {
      process.stderr.write(`Portkey unavailable (${String(error)}); skipping its rows\n`);
    }
    const targets = [direct, relay, ...bridges.map((bridge) => bridge.target), ...(portkey ? [portkey] : [])];

    process.stderr.write('measuring blocking latency at concurrency 1…\n');
    const latency = await measureSequential({
      targets,
      body: blockingBody,
      rounds: settings.latencyRounds,
      perRound: settings.latencyPerRound,
      pick: 'total',
    });
    process.stderr.write('measuring streaming time to first byte…\n');
    const ttfb = await measureSequential({
      targets,
      body: streamingBody,
      rounds: settings.latencyRounds,
      perRound: settings.ttfbPerRound,
      pick: 'firstByte',
    });

    process.stderr.write('measuring blocking latency by request body size…\n');
    // Portkey is left out here: the dimension is about the bridge's own body path against a direct call.
    // Chat Completions bodies are read whole (the bridge may edit them); Responses bodies go upstream as
    // they arrive. The minimal relay serves Chat Completions only.
    const onResponses = (target: Target): Target => ({
      ...target,
      url: target.url.replace(/\/chat\/completions$/, '/responses'),
    });
    const sizeEndpoints = [
      {
        name: 'Chat Completions',
        targets: [direct, relay, ...bridges.map((bridge) => bridge.target)],
        body: conversationBody,
      },
      {
        name: 'Responses',
        targets: [direct, ...bridges.map((bridge) => bridge.target)].map(onResponses),
        body: responsesConversationBody,
      },
    ];
    const bySize: { endpoint: string; targets: Target[]; bytes: number; samples: Map<string, number[]> }[] =
      [];
    for (const endpoint of sizeEndpoints) {
      for (const bytes of bodySizes) {
        bySize.push({
          endpoint: endpoint.name,
          targets: endpoint.targets,
          bytes,
          samples: await measureSequential({
            targets: endpoint.targets,
            body: endpoint.body(bytes),
            rounds: settings.latencyRounds,
            perRound: settings.bodySizePerRound,
            pick: 'total',
          }),
        });
      }
    }

    process.stderr.write(`measuring throughput at concurrency ${settings.concurrency}…\n`);
    const throughput = new Map<string, Awaited<ReturnType<typeof measureThroughput>>>();
    const recording = new Map<string, { perSecond: number; lagMs: number }>();
    const directRuns: number[] = [];
    const run = (target: Target) =>
      measureThroughput({
        target,
        body: blockingBody,
        concurrency: settings.concurrency,
        durationMs: settings.throughputMs,
      });
    const firstDirect = await run(direct);
    directRuns.push(firstDirect.perSecond);
    for (const bridge of bridges) {
      const before = await recordedCount(bridge);
      const startedAt = performance.now();
      const result = await run(bridge.target);
      throughput.set(bridge.name, result);
      // Warm-up requests of the run count too: the expected total is everything sent so far.
      recording.set(
        bridge.name,
        await recordingRate(bridge, before + result.requests + settings.concurrency, before, startedAt),
      );
    }
    if (portkey) throughput.set(portkey.name, await run(portkey));
    throughput.set(relay.name, await run(relay));
    const lastDirect = await run(direct);
    directRuns.push(lastDirect.perSecond);
    const directRps = ((directRuns[0] as number) + (directRuns[1] as number)) / 2;
    throughput.set('direct', {
      ...lastDirect,
      perSecond: directRps,
      latencies: [...firstDirect.latencies, ...lastDirect.latencies],
    });

    process.stderr.write('measuring c=1 latency beside the query loop…\n');
    const besideQueries = new Map<
      string,
      {
        samples: number[];
        direct: number[];
        loop: Awaited<ReturnType<ReturnType<typeof startQueryLoop>['stop']>>;
      }
    >();
    for (const bridge of bridges) {
      const loop = startQueryLoop(bridge.child.url, bridge.token);
      const measured = await measureSequential({
        targets: [direct, bridge.target],
        body: blockingBody,
        rounds: settings.latencyRounds,
        perRound: settings.latencyPerRound,
        pick: 'total',
      });
      besideQueries.set(bridge.name, {
        samples: measured.get(bridge.name) ?? [],
        direct: measured.get('direct') ?? [],
        loop: await loop.stop(),
      });
    }

    process.stderr.write('measuring the write path…\n');
    const writer: [string, number][] = [
      ['PGlite', await measureWritePath({ engine: 'pglite', count: settings.writerCount })],
    ];
    if (database)
      writer.push([
        'PostgreSQL',
        await measureWritePath({
          engine: 'postgres',
          databaseUrl: database.url,
          count: settings.writerCount,
        }),
      ]);

    process.stderr.write('measuring the cost of crash safety…\n');
    const crashSafety = await measureCrashSafetyCost({
      databaseUrl: database?.url ?? null,
      count: quick ? 2000 : 20_000,
    });

    const directLatency = latency.get('direct') ?? [];
    const directTtfb = ttfb.get('direct') ?? [];
    const memory = new Map<string, ReturnType<typeof memoryOf>>([
      ...bridges.map((bridge) => [bridge.name, memoryOf(bridge.child.process.pid)] as const),
      ...(portkey && portkeyChild ? [[portkey.name, memoryOf(portkeyChild.process.pid)] as const] : []),
      [relay.name, memoryOf(relayChild.process.pid)] as const,
    ]);
    const rows = targets.map((target) => {
      const samples = latency.get(target.name) ?? [];
      const first = ttfb.get(target.name) ?? [];
      const saturated = throughput.get(target.name);
      const isDirect = target.name === 'direct';
      const added = (values: number[], base: number[], p: number) =>
        isDirect ? '—' : addedMs(percentile(values, p) - percentile(base, p));
      const rec = recording.get(target.name);
      const mem = memory.get(target.name);
      return [
        target.name,
        `${ms(percentile(samples, 50))} / ${ms(percentile(samples, 99))}`,
        added(samples, directLatency, 50),
        added(samples, directLatency, 99),
        ms(percentile(first, 50)),
        added(first, directTtfb, 50),
        saturated
          ? `${Math.round(saturated.perSecond)}${saturated.errors ? ` (${saturated.errors} errors)` : ''}`
          : 'n/a',
        saturated
          ? `${ms(percentile(saturated.latencies, 50))} / ${ms(percentile(saturated.latencies, 99))}`
          : 'n/a',
        isDirect ? '100 %' : percent((saturated?.perSecond ?? Number.NaN) / directRps),
        rec ? `${Math.round(rec.perSecond)} (all written ${Math.round(rec.lagMs)} ms after the load)` : '—',
        mem ? `${Math.round(mem.rss)} / ${Math.round(mem.peak)} MiB` : '—',
      ];
    });
    const header = [
      'target',
      'c=1 p50 / p99',
      'added p50',
      'added p99',
      'stream TTFB p50',
      'TTFB added p50',
      `c=${settings.concurrency} req/s`,
      `c=${settings.concurrency} p50 / p99`,
      'req/s vs direct',
      'recorded interceptions/s',
      'RSS / peak',
    ];
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    process.stdout.write(
      `\nProxy benchmark — ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} × ${cpu}\n` +
        `c=1: ${settings.latencyRounds} interleaved rounds × ${settings.latencyPerRound} blocking requests per target` +
        ` (${settings.ttfbPerRound} streaming per round for TTFB); c=${settings.concurrency}: ${settings.throughputMs / 1000} s closed loop per target` +
        ` (direct measured before and after, averaged). OpenAI Chat Completions, recording on.\n\n` +
        `${markdownTable(header, rows)}\n\n` +
        `Blocking latency by request body size (c=1, ${settings.latencyRounds} interleaved rounds × ${settings.bodySizePerRound} requests per target and size; a conversation of that size, as Chat Completions — read whole — and as Responses — forwarded as it arrives):\n\n` +
        `${markdownTable(
          ['endpoint', 'body', 'target', 'c=1 p50 / p99', 'added p50', 'added p99'],
          bySize.flatMap(({ endpoint, targets: sizeTargets, bytes, samples }) => {
            const base = samples.get('direct') ?? [];
            return sizeTargets.map((target) => {
              const values = samples.get(target.name) ?? [];
              const added = (p: number) =>
                target.name === 'direct' ? '—' : addedMs(percentile(values, p) - percentile(base, p));
              return [
                endpoint,
                `${Math.round(bytes / 1024)} KB`,
                target.name,
                `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`,
                added(50),
                added(99),
              ];
            });
          }),
        )}

` +
        `Beside the query loop (c=1 blocking requests, interleaved with direct ones, while the sessions list and ` +
        `the unfiltered interceptions page are requested in turn, one at a time, on ${settings.historyInterceptions} ` +
        `interceptions; start-up: spawn until /healthz answers, on that history):\n\n` +
        `${markdownTable(
          [
            'target',
            'start-up',
            'added p50 / p99 alone',
            'added p50 / p99 beside queries',
            'query loop req/s',
            'query p50 / p99',
          ],
          bridges.map((bridge) => {
            const alone = latency.get(bridge.name) ?? [];
            const beside = besideQueries.get(bridge.name);
            const added = (values: number[], base: number[]) =>
              `${addedMs(percentile(values, 50) - percentile(base, 50))} / ${addedMs(percentile(values, 99) - percentile(base, 99))}`;
            return [
              bridge.name,
              ms(bridge.child.startedMs),
              added(alone, directLatency),
              beside ? added(beside.samples, beside.direct) : 'n/a',
              beside ? beside.loop.perSecond.toFixed(1) : 'n/a',
              beside
                ? `${ms(percentile(beside.loop.latencies, 50))} / ${ms(percentile(beside.loop.latencies, 99))}`
                : 'n/a',
            ];
          }),
        )}\n\n` +
        `Write path alone (${settings.writerCount} interceptions of 7 records each queued at once, until written):\n\n` +
        `${markdownTable(
          ['database', 'interceptions/s'],
          writer.map(([name, perSecond]) => [name, String(Math.round(perSecond))]),
        )}\n\n` +
        `Crash safety on a request's path, per interception (the same 7-record interception):\n\n` +
        `${markdownTable(
          ['mechanism', 'p50', 'p99'],
          crashSafety.map((cost) => [cost.name, `${cost.p50.toFixed(1)} µs`, `${cost.p99.toFixed(1)} µs`]),
        )}\n`,
    );
  } finally {
    await closePools();
    await Promise.all(children.map((child) => child.stop()));
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
