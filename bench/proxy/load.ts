/** The benchmark's load: one request timed end to end or to its first byte, and closed-loop concurrency. */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

/** A client upload at a bounded rate: `pieceBytes` every `intervalMs`, as over a slower link than loopback. */
export interface UploadPace {
  pieceBytes: number;
  intervalMs: number;
}

function pacedBody(body: string, pace: UploadPace): Readable {
  const bytes = Buffer.from(body);
  return Readable.from(
    (async function* () {
      for (let start = 0; start < bytes.length; start += pace.pieceBytes) {
        if (start > 0) await sleep(pace.intervalMs);
        yield bytes.subarray(start, start + pace.pieceBytes);
      }
    })(),
    { objectMode: false },
  );
}

/** Where a request goes: the same request body and path shape for every target. */
export interface Target {
  name: string;
  /** Full URL of the chat completions endpoint. */
  url: string;
  headers: Record<string, string>;
}

const pools = new Map<string, Pool>();

function poolFor(url: URL, connections: number): Pool {
  const key = `${url.origin}#${connections}`;
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
    pools.set(key, pool);
  }
  return pool;
}

/** Closes the load generator's connections. */
export async function closePools(): Promise<void> {
  await Promise.all([...pools.values()].map((pool) => pool.close()));
  pools.clear();
}

/** Sends one request; returns the milliseconds to its first body byte and to its end. */
export async function timeRequest(
  target: Target,
  body: string,
  connections = 1,
  pace?: UploadPace,
): Promise<{ firstByte: number; total: number }> {
  const url = new URL(target.url);
  const started = performance.now();
  const response = await poolFor(url, connections).request({
    method: 'POST',
    path: url.pathname,
    headers: {
      'content-type': 'application/json',
      ...(pace ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
      ...target.headers,
    },
    body: pace ? pacedBody(body, pace) : body,
  });
  let firstByte = Number.NaN;
  for await (const _chunk of response.body) {
    if (Number.isNaN(firstByte)) firstByte = performance.now() - started;
  }
  if (response.statusCode !== 200) throw new Error(`${target.name} answered ${response.statusCode}`);
  return { firstByte, total: performance.now() - started };
}

/**
 * Unsaturated latency: `rounds` rounds of `perRound` sequential requests to each target, one target after
 * the other request by request, so that noise from other processes on the machine falls on every target
 * alike.
 */
export async function measureSequential(input: {
  targets: readonly Target[];
  body: string;
  rounds: number;
  perRound: number;
  pick: 'total' | 'firstByte';
  /** Upload every body at this rate instead of at once. */
  pace?: UploadPace;
}): Promise<Map<string, number[]>> {
  const samples = new Map(input.targets.map((target) => [target.name, [] as number[]]));
  const warmUps = input.pace ? 10 : 50;
  for (const target of input.targets)
    for (let index = 0; index < warmUps; index++) await timeRequest(target, input.body, 1, input.pace);
  // Request by request in turn, the first target rotating each round: a burst of load from elsewhere, or
  // a place in the order, falls on every target alike.
  for (let round = 0; round < input.rounds; round++) {
    const order = input.targets.map(
      (_, index) => input.targets[(index + round) % input.targets.length] as Target,
    );
    for (let index = 0; index < input.perRound; index++) {
      for (const target of order) {
        const list = samples.get(target.name) as number[];
        list.push((await timeRequest(target, input.body, 1, input.pace))[input.pick]);
      }
    }
  }
  return samples;
}

/** Saturated throughput: `concurrency` closed loops for `durationMs`. */
export async function measureThroughput(input: {
  target: Target;
  body: string;
  concurrency: number;
  durationMs: number;
}): Promise<{ requests: number; perSecond: number; latencies: number[]; errors: number }> {
  const { target, body, concurrency } = input;
  // Warm the connections.
  await Promise.all(Array.from({ length: concurrency }, () => timeRequest(target, body, concurrency)));
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + input.durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          latencies.push((await timeRequest(target, body, concurrency)).total);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  return { requests: latencies.length, perSecond: (latencies.length / elapsed) * 1000, latencies, errors };
}
