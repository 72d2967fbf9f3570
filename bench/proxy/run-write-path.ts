/**
 * The write path alone, for quick A/B runs: `npx tsx bench/proxy/run-write-path.ts [count]` writes `count`
 * interceptions (default 20,000) into PostgreSQL at `AIBRIDGE_BENCH_DATABASE_URL` (else
 * `AIBRIDGE_TEST_DATABASE_URL`), or into PGlite when neither is set, and prints interceptions per second.
 */
import { measureWritePath } from './write-path.js';

const count = Number(process.argv[2] ?? 20_000);
const databaseUrl = process.env.AIBRIDGE_BENCH_DATABASE_URL ?? process.env.AIBRIDGE_TEST_DATABASE_URL;
const engine = databaseUrl ? 'postgres' : 'pglite';
const rate = await measureWritePath({ engine, count, ...(databaseUrl ? { databaseUrl } : {}) });
console.log(`${engine}: ${Math.round(rate)} interceptions/s (${count} interceptions)`);
