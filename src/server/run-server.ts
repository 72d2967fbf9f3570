import { once } from 'node:events';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Authenticator } from '../auth/authenticate.js';
import type { Config } from '../config/config.js';
import { type RecordedInterception, rowCount } from '../core/records.js';
import { Metrics } from '../observability/metrics.js';
import { type MetricsServer, startMetricsServer } from '../observability/metrics-server.js';
import { Observability } from '../observability/observability.js';
import { Tracing } from '../observability/tracing.js';
import { timeUpstreamCalls } from '../observability/upstream-timing.js';
import { Recorder } from '../recorder/recorder.js';
import { journalDirectory, openJournal, workerJournalDirectories } from '../recorder/replay-journal.js';
import { WriterThread } from '../recorder/writer-thread.js';
import { StatisticsUpkeep } from '../store/keep-statistics.js';
import { EmbeddedDatabaseInUseError } from '../store/open-embedded.js';
import { openStore, type Store, type StoreOptions } from '../store/open-store.js';
import { purgeRecords } from '../store/purge-records.js';
import { writeRecords } from '../store/write-records.js';
import { version } from '../version.js';
import { bootstrapAdmin } from './bootstrap-admin.js';
import type { ServerContext } from './context.js';
import { createServer } from './create-server.js';
import { guardProcess } from './guard-process.js';
import { replayJournalDirectories } from './replay-journals.js';
import { printableDatabaseUrl, reasonOf, StartupError } from './startup-error.js';

/** A running server. */
export interface RunningServer {
  app: FastifyInstance;
  context: ServerContext;
  /** The base URL it listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Where Prometheus metrics are served, when they are. */
  metricsUrl?: string;
  /** The first-start owner token, when this start created it. */
  adminToken: string | null;
  /** Graceful shutdown: stop accepting, finish in-flight requests (up to the grace period), flush records. */
  close(): Promise<void>;
}

/**
 * What a server run as one worker of a cluster (see run-cluster.ts) leaves to the primary process: the
 * first owner, the metrics listener, the retention purge and the statistics upkeep.
 */
export interface WorkerRole {
  /** The worker's number, from 1; it names the worker's crash journal directory. */
  index: number;
  /** Resolves once the primary has finished start-up (the first owner exists); until then requests get 503. */
  started: Promise<void>;
  /** Told the rows each batch wrote, which drive the statistics upkeep the primary runs for all workers. */
  noteWritten(rows: number): void;
}

/**
 * Opens the store, listens, creates the first owner if needed, and logs one start line. The socket is
 * opened before the owner is created, so a port in use stops start-up before a token is made.
 */
export async function runServer(input: {
  config: Config;
  logger: Logger;
  /** Tests pass a store of their own; it is then not closed by close(). */
  store?: Store;
  storeOptions?: StoreOptions;
  /** Set when this server is one worker of a cluster. */
  worker?: WorkerRole;
}): Promise<RunningServer> {
  const { config, logger, worker } = input;
  const store = input.store ?? (await openConfiguredStore(config, input.storeOptions, logger));
  const observability = new Observability({
    metrics: config.metricsListen
      ? new Metrics({
          recorderQueueDepth: () => recorder.pending,
          databasePool: () => ({
            total: store.pool.totalCount,
            idle: store.pool.idleCount,
            waiting: store.pool.waitingCount,
          }),
        })
      : undefined,
    tracing: config.otelEndpoint ? new Tracing({ endpoint: config.otelEndpoint, version }) : undefined,
  });
  // Undici publishes its diagnostics messages only while a channel has subscribers: none when nothing
  // reads the timings (the upstream call's debug line, metrics, traces).
  if (observability.metrics || observability.tracing || logger.isLevelEnabled('debug')) timeUpstreamCalls();
  const releaseProcessGuard = guardProcess(logger);
  // A burst's backlog defers analyzes (keep-statistics.ts); `recorder` is set before anything is written.
  const statistics = worker
    ? null
    : new StatisticsUpkeep({ db: store.db, logger, busy: () => recorder.behind });
  statistics?.start();
  // The rows written drive the statistics upkeep (the primary's, in a cluster).
  const noteWritten = worker ? worker.noteWritten : (rows: number) => statistics?.noteWritten(rows);
  // A second transaction while a backlog waits (recorder.ts); PGlite has one connection.
  const writers = store.engine === 'postgres' ? 2 : 1;
  // Batches are written on a thread of their own where another thread can reach the database.
  const writerThread = store.remote
    ? new WriterThread({
        remote: store.remote,
        poolSize: writers,
        onConnectionError: (error) =>
          logger.warn({ err: error }, 'a database connection of the writer broke; it is discarded'),
        onThreadError: (error) =>
          logger.error({ err: error }, 'the writer thread failed; its batches are retried on a new one'),
      })
    : null;
  const write = async (db: Store['db'], interceptions: readonly RecordedInterception[]) => {
    await (writerThread ? writerThread.write(interceptions) : writeRecords(db, interceptions));
    noteWritten(interceptions.reduce((rows, interception) => rows + rowCount(interception), 0));
  };
  // Each server keeps its own journal in its own data directory, also when several share one database;
  // each worker of a cluster its own below it. A single process also writes what the workers of an
  // earlier `--workers` run left (in a cluster the primary has replayed every journal before forking).
  if (!worker) {
    await replayJournalDirectories({
      directories: workerJournalDirectories(config.dataDir),
      db: store.db,
      logger,
      write,
    });
  }
  const opened = openJournal({ directory: journalDirectory(config.dataDir, worker?.index), logger });
  const recorder = new Recorder({
    db: store.db,
    logger,
    capacity: config.recorderQueueSize,
    writers,
    observer: observability,
    journal: opened.journal,
    write,
  });
  if (opened.replay.length > 0) {
    logger.warn(
      { finished: opened.finished, interrupted: opened.interrupted },
      'writing the interceptions an earlier run left in its crash journal',
    );
    recorder.replay(opened.replay);
    // Written before the server listens, so the query API shows them from the first request.
    await recorder.drain();
  }
  const context: ServerContext = {
    config,
    store,
    logger,
    authenticator: new Authenticator({ db: store.db, logger }),
    recorder,
    observability,
  };
  let starting = true;
  const app = await createServer(context, { starting: () => starting });
  let metricsServer: MetricsServer | undefined;
  let adminToken: string | null;
  try {
    await app.ready();
    await listen(app.server, config.listen);
    if (observability.metrics && config.metricsListen && !worker) {
      metricsServer = await startMetricsServer({
        registry: observability.metrics.registry,
        ...config.metricsListen,
      }).catch((error: unknown) => {
        throw new StartupError(
          `cannot serve metrics on ${formatAddress(config.metricsListen ?? config.listen)}: ${reasonOf(error)}`,
        );
      });
    }
    if (worker) {
      adminToken = null;
      worker.started.then(() => {
        starting = false;
      });
    } else {
      adminToken = await bootstrapAdmin({ store, tokenFile: config.adminTokenFile, logger });
      starting = false;
    }
  } catch (error) {
    await app.close();
    await metricsServer?.close();
    await recorder.drain();
    await writerThread?.close();
    await statistics?.close();
    opened.journal.close();
    await observability.close();
    if (!input.store) await store.close();
    releaseProcessGuard();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const url = `http://${formatAddress({ host: config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host, port })}`;
  const stopPurge = worker ? () => {} : schedulePurge({ store, logger, retentionMs: config.retentionMs });
  if (worker) {
    logger.info({ pid: process.pid }, 'worker listening');
  } else {
    logListening({
      config,
      logger,
      url,
      engine: store.engine,
      ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
      adminCreated: adminToken !== null,
    });
  }

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      stopPurge();
      const grace = setTimeout(() => {
        logger.warn('grace period over; closing remaining connections');
        app.server.closeAllConnections();
      }, config.shutdownGraceMs);
      // Waiting for a database that does not answer would hold the shutdown forever: past the grace period
      // the writer gives up, since what it still holds is in the crash journal, which the next start writes.
      const closingSince = Date.now();
      const giveUp = setInterval(() => {
        if (Date.now() - closingSince < config.shutdownGraceMs) return;
        if (!recorder.waitingForDatabase || !opened.journal.healthy) return;
        clearInterval(giveUp);
        logger.warn(
          { interceptions: recorder.release() },
          'database unreachable at shutdown; the records left are in the crash journal for the next start',
        );
      }, 100);
      // A keep-alive connection whose request was in flight at the signal turns idle when its response
      // ends; Node closes idle connections only once, at close(), so sweep them until the server is closed.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      await app.close();
      clearInterval(sweep);
      clearTimeout(grace);
      await recorder.drain();
      await writerThread?.close();
      await statistics?.close();
      clearInterval(giveUp);
      opened.journal.close();
      await metricsServer?.close();
      await observability.close();
      if (!input.store) await store.close();
      releaseProcessGuard();
      logger.info({ written: recorder.written }, worker ? 'worker stopped' : 'aibridge stopped');
    })();
    return closing;
  };
  return {
    app,
    context,
    url,
    adminToken,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
    close,
  };
}

/** Opens the configured database; a failure is one line naming the database (password masked). */
export async function openConfiguredStore(
  config: Config,
  options?: StoreOptions,
  logger?: Logger,
): Promise<Store> {
  const onConnectionError = (error: Error) =>
    logger?.warn({ err: error }, 'a database connection broke; it is discarded');
  const storeOptions =
    options ??
    (config.databaseUrl
      ? // The recorder's writer thread opens 2 of its own (runServer): a process keeps 10 in all.
        { databaseUrl: config.databaseUrl, poolSize: 8, onConnectionError }
      : { dataDir: join(config.dataDir, 'pgdata') });
  try {
    return await openStore(storeOptions);
  } catch (error) {
    // Already one line that names the data directory and what to do.
    if (error instanceof EmbeddedDatabaseInUseError) throw new StartupError(error.message);
    const where =
      'databaseUrl' in storeOptions
        ? `the database at ${printableDatabaseUrl(storeOptions.databaseUrl)}`
        : `the embedded database in ${storeOptions.dataDir}`;
    throw new StartupError(`cannot open ${where}: ${reasonOf(error)}`);
  }
}

/**
 * The start: a warning for each provider without a central key, then the one `aibridge listening` line
 * (of the single process, or of a cluster's primary with its worker count).
 */
export function logListening(input: {
  config: Config;
  logger: Logger;
  url: string;
  engine: string;
  workers?: number;
  metricsUrl?: string;
  adminCreated: boolean;
}): void {
  const { config, logger } = input;
  warnOfProvidersWithoutKey(config, logger);
  logger.info(
    {
      url: input.url,
      version,
      engine: input.engine,
      ...(input.workers === undefined ? {} : { workers: input.workers }),
      providers: config.providers.map((provider) => provider.name),
      ...(input.metricsUrl ? { metrics: input.metricsUrl } : {}),
      ...(config.otelEndpoint ? { traces: config.otelEndpoint } : {}),
      ...(input.adminCreated ? { adminCreated: true, adminTokenFile: config.adminTokenFile } : {}),
    },
    'aibridge listening',
  );
}

/** Warns of each provider that has no central key (its requests need the user's own, or fail). */
function warnOfProvidersWithoutKey(config: Config, logger: Logger): void {
  for (const provider of config.providers) {
    if (provider.key) continue;
    logger.warn(
      { provider: provider.name },
      config.allowByok
        ? `provider "${provider.name}" has no key: only requests that bring their own key will succeed`
        : `provider "${provider.name}" has no key and bring-your-own-key is off: its requests will fail`,
    );
  }
}

/** Listens on the Fastify app's own server (without Fastify's extra "listening" log line). */
async function listen(server: Server, at: { host: string; port: number }): Promise<void> {
  server.listen(at.port, at.host);
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => {
        throw error;
      }),
    ]);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'EADDRINUSE' ? 'the address is already in use' : reasonOf(error);
    throw new StartupError(`cannot listen on ${formatAddress(at)}: ${reason}`);
  }
}

export function formatAddress(at: { host: string; port: number }): string {
  return `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
}

/** Purges expired records shortly after start and then hourly; returns a function that stops it. */
export function schedulePurge(input: { store: Store; logger: Logger; retentionMs: number }): () => void {
  if (input.retentionMs <= 0) return () => {};
  const run = async () => {
    try {
      const deleted = await purgeRecords(input.store.db, new Date(Date.now() - input.retentionMs));
      if (deleted > 0) input.logger.info({ deleted }, 'purged interceptions past retention');
    } catch (error) {
      input.logger.error({ err: error }, 'retention purge failed');
    }
  };
  const first = setTimeout(run, 60_000);
  const hourly = setInterval(run, 3_600_000);
  first.unref();
  hourly.unref();
  return () => {
    clearTimeout(first);
    clearInterval(hourly);
  };
}
