/**
 * `npm run bench:observability`: what the operator features cost on the proxy's hot path. Bridges on
 * PGlite in front of one fake provider, measured in turns in the same run: "quiet" (`--log-level warn`,
 * no metrics, no traces), then each feature alone (a JSON request line per request at `info`; Prometheus
 * metrics; every interception traced to an OTLP sink that accepts and drops the export), then all three.
 * First prints the in-process cost of each step per call (observability-cost.ts), then a Markdown table of
 * throughput and sequential latency, as ratios to the quiet bridge.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closePools, measureSequential, measureThroughput, type Target } from './load.js';
import { measureObservabilityCost } from './observability-cost.js';
import { ownerToken, recordingBridgeArgs, startBridge, startFakeProvider } from './processes.js';
import { markdownTable, ms, percentile } from './stats.js';

const quick = process.env.AIBRIDGE_BENCH_QUICK === '1';
const rounds = quick ? 1 : 3;
const throughputMs = quick ? 1500 : 5000;
const body = JSON.stringify({
  model: 'gpt-4.1',
  stream: true,
  messages: [{ role: 'user', content: 'List the files under src and explain the entry point.' }],
});

process.stdout.write(
  `${markdownTable(
    ['step (in process)', 'µs per call'],
    measureObservabilityCost(quick ? 5000 : 50_000).map(([step, micros]) => [step, micros.toFixed(1)]),
  )}\n\n`,
);

const sink = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
sink.listen(0, '127.0.0.1');
await once(sink, 'listening');
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-observability-'));
const fake = await startFakeProvider();
const start = async (name: string, extra: string[]) => {
  const tokenFile = join(directory, `${name}-admin-token`);
  const child = await startBridge([
    ...recordingBridgeArgs({ dataDir: join(directory, name), tokenFile, fakeUrl: fake.url }),
    ...extra,
  ]);
  const target: Target = {
    name,
    url: `${child.url}/api/v2/aibridge/openai/v1/chat/completions`,
    headers: { authorization: `Bearer ${await ownerToken(tokenFile)}` },
  };
  return { child, target };
};

try {
  const variants: [string, string[]][] = [
    ['quiet', []],
    ['request log', ['--log-level', 'info', '--log-format', 'json']],
    ['metrics', ['--metrics-listen', '127.0.0.1:0']],
    ['traces', ['--otel-endpoint', sinkUrl]],
    [
      'all three',
      [
        '--log-level',
        'info',
        '--log-format',
        'json',
        '--metrics-listen',
        '127.0.0.1:0',
        '--otel-endpoint',
        sinkUrl,
      ],
    ],
  ];
  const bridges = [];
  for (const [name, extra] of variants) bridges.push(await start(name, extra));
  const perSecond = new Map<string, number[]>(bridges.map((bridge) => [bridge.target.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const bridge of round % 2 === 0 ? bridges : [...bridges].reverse()) {
      const result = await measureThroughput({
        target: bridge.target,
        body,
        concurrency: 32,
        durationMs: throughputMs,
      });
      perSecond.get(bridge.target.name)?.push(result.perSecond);
    }
  }
  const latency = await measureSequential({
    targets: bridges.map((bridge) => bridge.target),
    body,
    rounds: quick ? 2 : 6,
    perRound: quick ? 50 : 200,
    pick: 'total',
  });
  const median = (values: number[]) => percentile(values, 50);
  const base = { rps: median(perSecond.get('quiet') ?? []), p50: percentile(latency.get('quiet') ?? [], 50) };
  const rows = bridges.map(({ target }) => {
    const rps = median(perSecond.get(target.name) ?? []);
    const p50 = percentile(latency.get(target.name) ?? [], 50);
    return [
      target.name,
      rps.toFixed(0),
      `${(rps / base.rps).toFixed(2)}×`,
      ms(p50),
      `${(p50 / base.p50).toFixed(2)}×`,
    ];
  });
  process.stdout.write(
    `${markdownTable(['bridge', 'streams/s (32 at once, median of rounds)', 'vs quiet', 'sequential p50', 'vs quiet'], rows)}\n`,
  );
  await Promise.all(bridges.map((bridge) => bridge.child.stop()));
} finally {
  await closePools();
  await fake.stop();
  sink.close();
  rmSync(directory, { recursive: true, force: true });
}
