/**
 * The body-size dimension alone, for A/B runs in one process: blocking requests at c=1 with a conversation
 * of 1 KB, 50 KB and 500 KB, as Chat Completions (read whole by the bridge: it may edit the body) and as
 * Responses (forwarded as it arrives), against the fake provider directly and through bridges on PGlite,
 * all interleaved request by request so the machine's noise falls on every target alike. Last, 500 KB bodies
 * uploaded at a bounded rate (32 KB every 2 ms), as from a client on a slower link than loopback: there
 * the upload takes long enough for forwarding and decoding to overlap it.
 *
 * `npx tsx bench/proxy/run-body-size.ts` measures this checkout; with AIBRIDGE_BENCH_BEFORE_ROOT set to
 * another checkout (e.g. `git archive <commit>` unpacked, node_modules linked) its bridge runs beside as
 * "bridge (before)". AIBRIDGE_BENCH_QUICK=1 shortens it. AIBRIDGE_BENCH_UPSTREAM_LINK=1 puts the provider
 * behind a link of the same bounded rate (paced-link.ts), for every target, direct included: the provider
 * across the internet, as in production, where a bridge that reads the body whole uploads it twice in turn.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { conversationBody, responsesConversationBody } from './conversation-body.js';
import { closePools, measureSequential, type Target } from './load.js';
import { startPacedLink } from './paced-link.js';
import { type Child, ownerToken, recordingBridgeArgs, startBridge, startFakeProvider } from './processes.js';
import { prepareHistory } from './query-load.js';
import { addedMs, markdownTable, ms, percentile } from './stats.js';

const quick = process.env.AIBRIDGE_BENCH_QUICK === '1';
const rounds = quick ? 2 : 6;
const perRound = quick ? 10 : 60;
const sizes = [1024, 50 * 1024, 500 * 1024];
/** A client on a link slower than loopback: 32 KB every 2 ms (about 130 Mbit/s). */
const pace = { pieceBytes: 32 * 1024, intervalMs: 2 };
const endpoints = [
  { name: 'Chat Completions', path: '/v1/chat/completions', body: conversationBody },
  { name: 'Responses', path: '/v1/responses', body: responsesConversationBody },
] as const;

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-body-'));
  const children: Child[] = [];
  try {
    const fakeChild = await startFakeProvider();
    children.push(fakeChild);
    const link =
      process.env.AIBRIDGE_BENCH_UPSTREAM_LINK === '1' ? await startPacedLink(fakeChild.url, pace) : null;
    if (link !== null) children.push({ ...fakeChild, stop: () => link.close() });
    // Where every target's requests reach the provider: through the link when there is one.
    const fake = { url: link?.url ?? fakeChild.url };
    const roots: { name: string; root?: string }[] = [
      ...(process.env.AIBRIDGE_BENCH_BEFORE_ROOT
        ? [{ name: 'bridge (before)', root: process.env.AIBRIDGE_BENCH_BEFORE_ROOT }]
        : []),
      { name: 'bridge (after)' },
    ];
    const bridges: { name: string; url: string; token: string }[] = [];
    for (const [index, entry] of roots.entries()) {
      const dataDir = join(directory, `bridge-${index}`);
      const tokenFile = join(directory, `token-${index}`);
      await prepareHistory({ store: { dataDir: join(dataDir, 'pgdata') }, tokenFile, interceptions: 0 });
      const child = await startBridge(
        recordingBridgeArgs({ dataDir, tokenFile, fakeUrl: fake.url }),
        {},
        entry.root,
      );
      children.push(child);
      bridges.push({ name: entry.name, url: child.url, token: await ownerToken(tokenFile) });
    }
    const targetsFor = (path: string): Target[] => [
      { name: 'direct', url: `${fake.url}${path}`, headers: { authorization: 'Bearer sk-bench-direct' } },
      ...bridges.map((bridge) => ({
        name: bridge.name,
        url: `${bridge.url}/api/v2/aibridge/openai${path}`,
        headers: { authorization: `Bearer ${bridge.token}` },
      })),
    ];
    const load = loadavg()
      .map((value) => value.toFixed(1))
      .join(' / ');
    const rows: string[][] = [];
    const runs = [
      ...endpoints.flatMap((endpoint) => sizes.map((bytes) => ({ endpoint, bytes, paced: false }))),
      ...endpoints.map((endpoint) => ({ endpoint, bytes: 500 * 1024, paced: true })),
    ];
    for (const { endpoint, bytes, paced } of runs) {
      const targets = targetsFor(endpoint.path);
      const upload = paced ? 'paced upload' : 'at once';
      process.stderr.write(`measuring ${endpoint.name} at ${Math.round(bytes / 1024)} KB, ${upload}…\n`);
      const samples = await measureSequential({
        targets,
        body: endpoint.body(bytes),
        rounds,
        perRound: paced ? Math.ceil(perRound / 3) : perRound,
        pick: 'total',
        ...(paced ? { pace } : {}),
      });
      const base = samples.get('direct') ?? [];
      for (const target of targets) {
        const values = samples.get(target.name) ?? [];
        const added = (p: number) =>
          target.name === 'direct' ? '—' : addedMs(percentile(values, p) - percentile(base, p));
        rows.push([
          endpoint.name,
          `${Math.round(bytes / 1024)} KB${paced ? ', paced' : ''}`,
          target.name,
          `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`,
          added(50),
          added(99),
        ]);
      }
    }
    const loadAfter = loadavg()
      .map((value) => value.toFixed(1))
      .join(' / ');
    process.stdout.write(
      `\nBlocking latency by request body size — ${new Date().toISOString()}, Node ${process.version}, ` +
        `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}; c=1, ${rounds} interleaved rounds × ${perRound} ` +
        `requests per target, endpoint and size (a third of that for paced uploads); PGlite, recording on${link === null ? '' : '; the provider behind a link of 32 KB every 2 ms for every target'}; load average ${load} before, ${loadAfter} after.\n\n` +
        `${markdownTable(['endpoint', 'body', 'target', 'c=1 p50 / p99', 'added p50', 'added p99'], rows)}\n`,
    );
  } finally {
    await closePools();
    await Promise.all(children.map((child) => child.stop()));
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
