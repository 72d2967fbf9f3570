/**
 * `npm run bench:query`: loads a synthetic history into a throw-away PostgreSQL database (1M interceptions
 * by default) and into PGlite (100k), starts the real server on each, and times every query route over
 * HTTP. Prints a markdown table per engine and the EXPLAIN ANALYZE of the slowest statement on PostgreSQL.
 *
 * Options: --interceptions N (PostgreSQL, default 1000000), --pglite-interceptions N (default 100000,
 * 0 skips), --postgres-only, --iterations N (default 200), --keep (do not drop the database), --reuse NAME
 * (measure a database kept by an earlier --keep run instead of loading a new one).
 * Env: AIBRIDGE_BENCH_DATABASE_URL, a PostgreSQL URL whose user may CREATE DATABASE
 * (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/server/logger.js';
import { runServer } from '../../src/server/run-server.js';
import { createApiKey } from '../../src/store/api-keys.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import type { Database } from '../../src/store/schema.js';
import { createUser, findUserByUsername } from '../../src/store/users.js';
import { buildRollups, verifyRollups } from './build-rollups.js';
import { explainSlowest, type QueryLog } from './explain.js';
import { generateHistory } from './generate-history.js';
import { formatTable, type Measurement, measure } from './measure.js';
import { buildScenarios } from './scenarios.js';

const { values: flags } = parseArgs({
  options: {
    interceptions: { type: 'string', default: '1000000' },
    'pglite-interceptions': { type: 'string', default: '100000' },
    'postgres-only': { type: 'boolean', default: false },
    iterations: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
const log = (message: string) => process.stderr.write(`[bench:query] ${message}\n`);
const seconds = (started: number) => `${((performance.now() - started) / 1000).toFixed(1)} s`;

/** Loads the history, builds and checks the rollups, and measures every scenario over HTTP. */
async function benchmark(input: {
  label: string;
  store: Store;
  interceptions: number;
  iterations: number;
  queryLog?: QueryLog;
  reuse?: boolean;
}): Promise<Measurement[]> {
  const { store } = input;
  if (!input.reuse) {
    let started = performance.now();
    await generateHistory(store.db, { interceptions: input.interceptions, users: 200, days: 90 });
    log(`${input.label}: generated ${input.interceptions} interceptions in ${seconds(started)}`);
    started = performance.now();
    await buildRollups(store.db);
    await sql`VACUUM ANALYZE`.execute(store.db);
    log(`${input.label}: rollups and VACUUM ANALYZE in ${seconds(started)}`);
    log(`${input.label}: ${await verifyRollups(store.db, 3)} rollup rows of 3 users equal the write path's`);
  } else {
    // Migrations applied to a kept database may have rewritten rows: clean up as autovacuum would.
    await sql`VACUUM ANALYZE`.execute(store.db);
  }
  await describeHistory(input.label, store.db);

  const owner =
    (await createUser(store.db, { username: 'bench-owner', roles: ['owner'] })) ??
    (await findUserByUsername(store.db, 'bench-owner'))!;
  const tokenName = `bench-${Date.now().toString(36)}`;
  const ownerKey = (await createApiKey(store.db, { userId: owner.id, tokenName, expiresAt: null }))!;
  const member = await sql<{ id: string }>`SELECT initiator_id AS id FROM aibridge_sessions
    GROUP BY initiator_id ORDER BY sum(interceptions) DESC LIMIT 1`.execute(store.db);
  const memberId = member.rows[0]!.id;
  const memberKey = (await createApiKey(store.db, {
    userId: memberId,
    tokenName,
    expiresAt: null,
  }))!;

  const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-'));
  const config = loadConfig({
    flags: { listen: '127.0.0.1:0', data_dir: directory, log_level: 'silent', retention: '0' },
    env: {},
  });
  const serverStore: Store = input.queryLog ? { ...store, db: input.queryLog.db } : store;
  const server = await runServer({ config, logger: createLogger({ level: 'silent' }), store: serverStore });
  try {
    const scenarios = await buildScenarios({
      db: store.db,
      ownerToken: ownerKey.key,
      memberToken: memberKey.key,
      memberId,
      interceptions: input.interceptions,
    });
    const measurements: Measurement[] = [];
    for (const scenario of scenarios) {
      const result = await measure({
        baseUrl: server.url,
        scenario,
        warmup: 20,
        iterations: input.iterations,
      });
      log(
        `${input.label}: ${scenario.route} / ${scenario.name}: p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms`,
      );
      measurements.push(result);
    }
    process.stdout.write(`\n### ${input.label}\n\n${formatTable(measurements)}\n`);
    if (input.queryLog) {
      process.stdout.write(
        `\n${await explainSlowest({ baseUrl: server.url, measurements, queryLog: input.queryLog })}\n`,
      );
    }
    return measurements;
  } finally {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function describeHistory(label: string, db: Kysely<Database>): Promise<void> {
  const result = await sql<Record<string, number>>`SELECT
    (SELECT count(*) FROM aibridge_interceptions) AS interceptions,
    (SELECT count(*) FROM aibridge_token_usages) AS token_usages,
    (SELECT count(*) FROM aibridge_user_prompts) AS prompts,
    (SELECT count(*) FROM aibridge_tool_usages) AS tool_usages,
    (SELECT count(*) FROM aibridge_model_thoughts) AS thoughts,
    (SELECT count(*) FROM aibridge_sessions) AS sessions,
    (SELECT max(interceptions) FROM aibridge_sessions) AS longest_session,
    (SELECT count(*) FROM aibridge_interception_counts) AS count_rows,
    (SELECT count(DISTINCT model) FROM aibridge_interception_counts) AS models,
    (SELECT count(DISTINCT client) FROM aibridge_interception_counts) AS clients`.execute(db);
  log(`${label}: ${JSON.stringify(result.rows[0])}`);
}

async function onPostgres(interceptions: number, iterations: number): Promise<void> {
  const adminUrl = process.env.AIBRIDGE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = flags.reuse ?? `aibridge_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  if (!flags.reuse) await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  log(`PostgreSQL: ${flags.reuse ? 'reusing' : 'created'} database ${name}`);
  const store = await openStore({ databaseUrl: url.toString() });
  const queryLog = createQueryLog(url.toString());
  try {
    await benchmark({
      label: `PostgreSQL, ${interceptions} interceptions`,
      store,
      interceptions,
      iterations,
      queryLog,
      reuse: flags.reuse !== undefined,
    });
  } finally {
    await queryLog.db.destroy();
    await store.close();
    if (flags.keep || flags.reuse) log(`kept database ${name}`);
    else await admin.query(`DROP DATABASE ${name}`);
    await admin.end();
  }
}

/** A second Kysely on the same database that records each statement, for EXPLAIN ANALYZE afterwards. */
function createQueryLog(databaseUrl: string): QueryLog {
  const queryLog: QueryLog = {
    recording: false,
    statements: [],
    db: new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 10 }) }),
      log: (event) => {
        if (!queryLog.recording) return;
        queryLog.statements.push({
          sql: event.query.sql,
          parameters: event.query.parameters,
          durationMs: event.queryDurationMillis,
        });
      },
    }),
  };
  return queryLog;
}

async function onPglite(interceptions: number, iterations: number): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-pglite-'));
  const store = await openStore({ dataDir: directory });
  try {
    await benchmark({ label: `PGlite, ${interceptions} interceptions`, store, interceptions, iterations });
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

const iterations = Number(flags.iterations);
await onPostgres(Number(flags.interceptions), iterations);
const pgliteInterceptions = Number(flags['pglite-interceptions']);
if (!flags['postgres-only'] && pgliteInterceptions > 0) {
  await onPglite(pgliteInterceptions, Math.max(20, Math.floor(iterations / 4)));
}
