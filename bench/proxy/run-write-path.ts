/**
 * The write path alone, for quick A/B runs (`npm run bench:write -- [options]`): writes `--count`
 * interceptions (default 20,000) queued at once into PostgreSQL at `AIBRIDGE_BENCH_DATABASE_URL` (else
 * `AIBRIDGE_TEST_DATABASE_URL`), or into PGlite when neither is set or with `--engine pglite`, and prints
 * interceptions per second. `--writers N` and `--max-batch N` override the recorder's defaults; `--upkeep`
 * runs the statistics upkeep beside it as run-server.ts does; `--runs N` repeats, alternating the
 * settings listed in `--writers 1,2` (pairs in one run are the comparison to trust on a shared machine).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { measureWritePath } from './write-path.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    engine: { type: 'string' },
    writers: { type: 'string' },
    'max-batch': { type: 'string' },
    upkeep: { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
  },
});
const count = Number(values.count);
const databaseUrl = process.env.AIBRIDGE_BENCH_DATABASE_URL ?? process.env.AIBRIDGE_TEST_DATABASE_URL;
const engine = values.engine === 'pglite' || !databaseUrl ? 'pglite' : 'postgres';
const writerSettings = values.writers ? values.writers.split(',').map(Number) : [undefined];
const maxBatch = values['max-batch'] ? Number(values['max-batch']) : undefined;
for (let run = 0; run < Number(values.runs); run++) {
  for (const writers of writerSettings) {
    const rate = await measureWritePath({
      engine,
      count,
      ...(engine === 'postgres' && databaseUrl ? { databaseUrl } : {}),
      recorder: { ...(writers ? { writers } : {}), ...(maxBatch ? { maxBatch } : {}) },
      upkeep: values.upkeep,
    });
    const settings = [
      writers ? `writers ${writers}` : '',
      maxBatch ? `batch ${maxBatch}` : '',
      values.upkeep ? 'upkeep' : '',
    ]
      .filter(Boolean)
      .join(', ');
    const load = loadavg()[0]?.toFixed(1);
    console.log(
      `${engine}: ${Math.round(rate)} interceptions/s (${count}${settings ? `; ${settings}` : ''}; load ${load})`,
    );
  }
}
