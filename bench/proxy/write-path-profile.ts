/**
 * Where a write-path batch spends its time: `npx tsx bench/proxy/write-path-profile.ts [count]` writes
 * `count` interceptions like bench/proxy/write-path.ts (PostgreSQL at AIBRIDGE_BENCH_DATABASE_URL, else
 * PGlite) and prints, per statement, its share of the wall time as the client sees it (round trip
 * included); what is left is the writer's own JavaScript.
 */
import pg from 'pg';
import { measureWritePath } from './write-path.js';

const totals = new Map<string, { ms: number; calls: number }>();
const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
function label(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const table = /(?:INSERT INTO|UPDATE|ANALYZE|SET LOCAL)\s+("?[\w.]+"?)/i.exec(flat);
  return table ? `${flat.split(' ')[0]} ${table[1]}` : flat.slice(0, 40);
}
(pg.Client.prototype as unknown as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
  const started = performance.now();
  const result = original.apply(this, args);
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    const done = () => {
      const key = label(text);
      const entry = totals.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - started;
      entry.calls += 1;
      totals.set(key, entry);
    };
    (result as Promise<unknown>).then(done, done);
  }
  return result;
};

const count = Number(process.argv[2] ?? 20_000);
const databaseUrl = process.env.AIBRIDGE_BENCH_DATABASE_URL ?? process.env.AIBRIDGE_TEST_DATABASE_URL;
const engine = databaseUrl ? 'postgres' : 'pglite';
const startedAll = performance.now();
let timed = 0;
const rate = await measureWritePath({
  engine,
  count,
  ...(databaseUrl ? { databaseUrl } : {}),
  onStart: () => {
    totals.clear();
    timed = performance.now();
  },
});
const wall = performance.now() - timed;
console.log(
  `${engine}: ${Math.round(rate)} interceptions/s (${count}); ${Math.round(wall)} ms written, ${Math.round(performance.now() - startedAll)} ms in all`,
);
let sum = 0;
for (const [key, { ms, calls }] of [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
  sum += ms;
  console.log(
    `${((ms / wall) * 100).toFixed(1).padStart(5)} %  ${(ms / calls).toFixed(2).padStart(7)} ms × ${String(calls).padStart(4)}  ${key}`,
  );
}
console.log(`${(((wall - sum) / wall) * 100).toFixed(1).padStart(5)} %  outside statements`);
