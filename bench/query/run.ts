/**
 * `npm run bench:query`: writes a history into a throw-away PostgreSQL database (200k interceptions by
 * default) and into PGlite (100k) the way a deployment does, through the recorder and the write path with
 * the product's statistics upkeep and no manual ANALYZE, starts the real server on each, and times every
 * query route over HTTP: first as written, then after a manual ANALYZE; on PostgreSQL each also with JIT
 * on (the product turns it off) to show what that setting is worth. Prints a markdown table per engine and
 * the EXPLAIN ANALYZE of the slowest statement on PostgreSQL as written.
 *
 * Options: --interceptions N (PostgreSQL, default 200000), --pglite-interceptions N (default 100000,
 * 0 skips), --postgres-only, --without-upkeep (write as the bridge did before it kept statistics),
 * --history bulk (generate the history in SQL instead, with rollups built in bulk and VACUUM ANALYZE:
 * minutes faster for 1M), --iterations N (default 100), --budget-ms N (per scenario and phase, default
 * 10000), --keep (do not drop the database), --name NAME (the new database's name instead of a generated
 * one), --reuse NAME (measure a database kept by an earlier --keep run),
 * --only ROUTE[,ROUTE…] (measure only those routes' scenarios, plus the sessions list's first page as the
 * baseline the ratios are read against), --jit-off-only (skip the phase with JIT on).
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
import { providerTypes } from '../../src/providers/index.js';
import { createLogger } from '../../src/server/logger.js';
import { runServer } from '../../src/server/run-server.js';
import { createApiKey } from '../../src/store/api-keys.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import type { Database } from '../../src/store/schema.js';
import { createUser, findUserByUsername } from '../../src/store/users.js';
import { buildRollups, verifyRollups } from './build-rollups.js';
import { explainSlowest, type QueryLog } from './explain.js';
import { generateHistory } from './generate-history.js';
import { formatPhases, type Measurement, measure } from './measure.js';
import { buildScenarios } from './scenarios.js';
import { writeHistory } from './write-history.js';

const { values: flags } = parseArgs({
  options: {
    interceptions: { type: 'string', default: '200000' },
    'pglite-interceptions': { type: 'string', default: '100000' },
    'postgres-only': { type: 'boolean', default: false },
    'without-upkeep': { type: 'boolean', default: false },
    history: { type: 'string', default: 'write-path' },
    iterations: { type: 'string', default: '100' },
    'budget-ms': { type: 'string', default: '10000' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    name: { type: 'string' },
    only: { type: 'string' },
    'jit-off-only': { type: 'boolean', default: false },
  },
});
const log = (message: string) => process.stderr.write(`[bench:query] ${message}\n`);
const seconds = (started: number) => `${((performance.now() - started) / 1000).toFixed(1)} s`;

/** What the server reads through in one phase: the store itself, or a query log with JIT on or off. */
interface Reader {
  label: string;
  db: Kysely<Database>;
  queryLog?: QueryLog;
}

/** Writes or generates the history, then measures every scenario over HTTP in each phase. */
async function benchmark(input: {
  label: string;
  store: Store;
  interceptions: number;
  iterations: number;
  /** The readers to measure through, in order, before and after a manual ANALYZE. */
  readers: Reader[];
  reuse?: boolean;
}): Promise<void> {
  const { store } = input;
  const bulk = flags.history === 'bulk';
  if (input.reuse) {
    log(`${input.label}: reusing the kept history as it is`);
  } else if (bulk) {
    let started = performance.now();
    await generateHistory(store.db, { interceptions: input.interceptions, users: 200, days: 90 });
    log(`${input.label}: generated ${input.interceptions} interceptions in ${seconds(started)}`);
    started = performance.now();
    await buildRollups(store.db);
    await sql`VACUUM ANALYZE`.execute(store.db);
    log(`${input.label}: rollups and VACUUM ANALYZE in ${seconds(started)}`);
    log(`${input.label}: ${await verifyRollups(store.db, 3)} rollup rows of 3 users equal the write path's`);
  } else {
    const started = performance.now();
    const upkeep = !flags['without-upkeep'];
    const written = await writeHistory(store.db, {
      interceptions: input.interceptions,
      users: 200,
      days: 90,
      upkeep,
    });
    const elapsed = (performance.now() - started) / 1000;
    log(
      `${input.label}: wrote ${input.interceptions} interceptions (${written.rows} rows) through the write ` +
        `path in ${elapsed.toFixed(1)} s (${Math.round(input.interceptions / elapsed)}/s), ` +
        (upkeep ? `${written.analyzes} analyzes by the statistics upkeep` : 'without statistics upkeep'),
    );
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
  const only = flags.only?.split(',');
  const scenarios = (
    await buildScenarios({
      db: store.db,
      ownerToken: ownerKey.key,
      memberToken: memberKey.key,
      memberId,
      interceptions: input.interceptions,
    })
  ).filter(
    (scenario) =>
      !only ||
      only.includes(scenario.route) ||
      (scenario.route === 'sessions' && scenario.name === 'first page, no filter'),
  );

  const phases: { label: string; measurements: Measurement[] }[] = [];
  const explains: string[] = [];
  const measurePhase = async (state: string, reader: Reader) => {
    const label = `${state}${reader.label}`;
    const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-'));
    const config = loadConfig({
      providerTypes,
      flags: { listen: '127.0.0.1:0', data_dir: directory, log_level: 'silent', retention: '0' },
      env: {},
    });
    const server = await runServer({
      config,
      logger: createLogger({ level: 'silent' }),
      store: { ...store, db: reader.db },
    });
    try {
      const measurements: Measurement[] = [];
      for (const scenario of scenarios) {
        const result = await measure({
          baseUrl: server.url,
          scenario,
          warmup: 20,
          iterations: input.iterations,
          budgetMs: Number(flags['budget-ms']),
        });
        log(
          `${input.label}, ${label}: ${scenario.route} / ${scenario.name}: p50 ${result.p50.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms`,
        );
        measurements.push(result);
      }
      phases.push({ label, measurements });
      if (reader.queryLog && phases.length === 1) {
        explains.push(
          `Slowest ${label}: ${await explainSlowest({ baseUrl: server.url, measurements, queryLog: reader.queryLog })}`,
        );
      }
    } finally {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    }
  };
  const state = bulk ? 'after VACUUM ANALYZE' : 'as written';
  for (const reader of input.readers) await measurePhase(state, reader);
  if (!bulk) {
    const started = performance.now();
    await sql`ANALYZE`.execute(store.db);
    log(`${input.label}: manual ANALYZE in ${seconds(started)}`);
    for (const reader of input.readers) await measurePhase('after ANALYZE', reader);
  }
  process.stdout.write(`\n### ${input.label}\n\n${formatPhases(phases)}\n`);
  for (const explain of explains) process.stdout.write(`\n${explain}\n`);
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
  const name = flags.reuse ?? flags.name ?? `aibridge_bench_${Date.now().toString(36)}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Not a plain database name: ${name}`);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  if (!flags.reuse) await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  log(`PostgreSQL: ${flags.reuse ? 'reusing' : 'created'} database ${name}`);
  const store = await openStore({ databaseUrl: url.toString() });
  const jitOff = createQueryLog(url.toString(), 'off');
  const jitOn = createQueryLog(url.toString(), 'on');
  try {
    const settings = await sql<{
      autovacuum: string;
    }>`SELECT current_setting('autovacuum') AS autovacuum`.execute(store.db);
    log(`PostgreSQL: autovacuum ${settings.rows[0]?.autovacuum}`);
    await benchmark({
      label: `PostgreSQL, ${interceptions} interceptions`,
      store,
      interceptions,
      iterations,
      readers: [
        { label: '', db: jitOff.db, queryLog: jitOff },
        ...(flags['jit-off-only'] ? [] : [{ label: ', JIT on', db: jitOn.db, queryLog: jitOn }]),
      ],
      reuse: flags.reuse !== undefined,
    });
    const autoanalyzed = await sql<{ tables: number }>`SELECT count(*) AS tables FROM pg_stat_user_tables
      WHERE last_autoanalyze IS NOT NULL`.execute(store.db);
    log(`PostgreSQL: ${autoanalyzed.rows[0]?.tables} tables analyzed by autovacuum meanwhile`);
  } finally {
    await jitOff.db.destroy();
    await jitOn.db.destroy();
    await store.close();
    if (flags.keep || flags.reuse) log(`kept database ${name}`);
    else await admin.query(`DROP DATABASE ${name}`);
    await admin.end();
  }
}

/**
 * A second Kysely on the same database, with JIT as given (the product's own connections turn it off), that
 * records each statement for EXPLAIN ANALYZE afterwards.
 */
function createQueryLog(databaseUrl: string, jit: 'on' | 'off'): QueryLog {
  const queryLog: QueryLog = {
    recording: false,
    statements: [],
    db: new Kysely<Database>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: databaseUrl, max: 10, options: `-c jit=${jit}` }),
      }),
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
    await benchmark({
      label: `PGlite, ${interceptions} interceptions`,
      store,
      interceptions,
      iterations,
      readers: [{ label: '', db: store.db }],
    });
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
