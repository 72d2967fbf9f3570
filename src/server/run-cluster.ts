/**
 * `aibridge server --workers N`: N proxy processes on one port (node:cluster), sharing the PostgreSQL
 * database. The primary serves no request. It does the start-up's shared work once — migrations, the
 * replay of every worker's crash journal, the first owner — then forks the workers, keeps them running
 * (a worker that dies is replaced, with a back-off so a worker that cannot start does not spin), runs the
 * maintenance that must not run N times (retention purge, statistics upkeep), serves the workers' summed
 * metrics, and on SIGTERM drains every worker before it exits.
 *
 * Who recovers a killed worker's interceptions: the worker that replaces it. It gets the same number, so
 * it opens the same journal directory and replays it before it listens, exactly as a restarted single
 * server does; the dead one can no longer append, so one journal never has two writers.
 */
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../config/config.js';
import { type RecordedInterception, rowCount } from '../core/records.js';
import { type MetricsServer, startMetricsServer } from '../observability/metrics-server.js';
import { journalDirectory, workerJournalDirectories } from '../recorder/replay-journal.js';
import { StatisticsUpkeep } from '../store/keep-statistics.js';
import type { Database } from '../store/schema.js';
import { writeRecords } from '../store/write-records.js';
import { bootstrapAdmin } from './bootstrap-admin.js';
import {
  type FromWorker,
  isClusterMessage,
  type ToWorker,
  type WorkerMetrics,
  workerIndexVariable,
} from './cluster-messages.js';
import { guardProcess } from './guard-process.js';
import { replayJournalDirectories } from './replay-journals.js';
import { formatAddress, logListening, openConfiguredStore, schedulePurge } from './run-server.js';
import { reasonOf, StartupError } from './startup-error.js';

/** A running cluster, as the CLI sees it. */
export interface RunningCluster {
  url: string;
  metricsUrl?: string;
  adminToken: string | null;
  /** Drains every worker (each finishes its streams and writes its records), then closes the database. */
  close(): Promise<void>;
}

/** A worker that lived this long before dying counts as healthy: its replacement starts after the first delay. */
const healthyLifeMs = 60_000;
const firstRestartDelayMs = 250;
const maxRestartDelayMs = 30_000;

/**
 * The wait before replacing a worker that died `failures` times in a row, each within a minute of its
 * start: 250 ms, then doubling up to 30 s, so a worker that cannot start (a database refusing connections,
 * a bad upstream certificate) is retried without spinning the machine.
 */
export function restartDelay(failures: number): number {
  return Math.min(maxRestartDelayMs, firstRestartDelayMs * 2 ** Math.max(0, failures - 1));
}

/** The failure count after a worker that lived `livedMs` died. */
export function failuresAfter(previous: number, livedMs: number): number {
  return livedMs >= healthyLifeMs ? 1 : previous + 1;
}
/** How long a scrape waits for the workers; one that has not answered by then is left out of the sum. */
const metricsTimeoutMs = 2000;

interface Slot {
  index: number;
  worker: Worker | null;
  forkedAt: number;
  /** Deaths in a row, each within `healthyLifeMs` of its start. */
  failures: number;
  restart: NodeJS.Timeout | null;
  listening: boolean;
}

export async function runCluster(input: {
  config: Config;
  logger: Logger;
  workers: number;
}): Promise<RunningCluster> {
  const { config, logger } = input;
  if (!config.databaseUrl) throw new StartupError('several workers need a PostgreSQL database');
  // The primary's own queries are few: the journal replay, the owner, analyze and purge.
  const store = await openConfiguredStore(
    config,
    {
      databaseUrl: config.databaseUrl,
      poolSize: 2,
      onConnectionError: (error) =>
        logger.warn({ err: error }, 'a database connection broke; it is discarded'),
    },
    logger,
  );
  // An error nothing caught is logged rather than ending the primary, which would take every worker along.
  const releaseProcessGuard = guardProcess(logger);
  const statistics = new StatisticsUpkeep({ db: store.db, logger });
  statistics.start();
  const write = async (db: Kysely<Database>, interceptions: readonly RecordedInterception[]) => {
    await writeRecords(db, interceptions);
    statistics.noteWritten(interceptions.reduce((rows, interception) => rows + rowCount(interception), 0));
  };
  const slots: Slot[] = Array.from({ length: input.workers }, (_, index) => ({
    index: index + 1,
    worker: null,
    forkedAt: 0,
    failures: 0,
    restart: null,
    listening: false,
  }));
  let stopping = false;
  let started = false;
  let metricsServer: MetricsServer | undefined;
  let stopPurge = () => {};
  const metricsRequests = new Map<number, (metrics: WorkerMetrics) => void>();
  let metricsRequestId = 0;
  /** Each live worker's answer to the last scrape. */
  const lastScraped = new Map<Worker, WorkerMetrics>();
  /**
   * The counters and histograms of workers that died, as last scraped: kept in the sum so that a replaced
   * worker does not make the cluster's counters fall (Prometheus would read the fall as a reset, and its
   * rate() would show a spike of everything the other workers ever counted).
   */
  let retired: WorkerMetrics[] = [];
  const retire = (worker: Worker) => {
    const last = lastScraped.get(worker);
    lastScraped.delete(worker);
    if (!last) return;
    retired.push(
      last.filter((metric) => {
        // prom-client types `type` as a numeric enum, but the JSON it renders holds the name.
        const type = metric.type as unknown as string;
        return (type === 'counter' || type === 'histogram') && (metric.aggregator ?? 'sum') === 'sum';
      }),
    );
    // Folded into one set now and then, so a worker that keeps dying does not grow the list without end.
    // The sets stay until their fold replaces them, so no scrape in between misses them.
    if (retired.length > 8) {
      const folding = retired.length;
      AggregatorRegistry.aggregate(retired)
        .getMetricsAsJSON()
        .then((metrics) => {
          retired = [metrics, ...retired.slice(folding)];
        });
    }
  };
  /** Settles each worker's first start: resolves with its port, or rejects with why it failed. */
  const firstStarts = new Map<number, { resolve(port: number): void; reject(error: Error): void }>();

  const send = (worker: Worker | null, message: ToWorker) => {
    if (!worker?.isConnected()) return;
    // A worker that dies meanwhile closes the channel; its exit is handled where it is observed.
    worker.send(message, undefined, () => {});
  };

  const fork = (slot: Slot) => {
    slot.restart = null;
    slot.listening = false;
    slot.forkedAt = Date.now();
    const worker = cluster.fork({ [workerIndexVariable]: String(slot.index) });
    slot.worker = worker;
    let failure: string | undefined;
    worker.on('message', (message: unknown) => {
      if (!isClusterMessage<FromWorker>(message)) return;
      switch (message.aibridge) {
        case 'written':
          statistics.noteWritten(message.rows);
          break;
        case 'metrics':
          metricsRequests.get(message.id)?.(message.metrics);
          break;
        case 'failed':
          failure = message.message;
          break;
        case 'listening':
          slot.listening = true;
          if (started) {
            send(worker, { aibridge: 'started' });
            logger.info({ worker: slot.index, pid: worker.process.pid }, 'worker replaced');
          }
          firstStarts.get(slot.index)?.resolve(message.port);
          // From here on a death is a restart, also while the other workers are still starting.
          firstStarts.delete(slot.index);
          break;
      }
    });
    worker.on('exit', (code, signal) => {
      retire(worker);
      slot.worker = null;
      slot.listening = false;
      const first = firstStarts.get(slot.index);
      if (first) {
        first.reject(
          new StartupError(failure ?? `worker ${slot.index} exited with ${signal ?? `code ${code}`}`),
        );
        return;
      }
      if (stopping) return;
      slot.failures = failuresAfter(slot.failures, Date.now() - slot.forkedAt);
      const delay = restartDelay(slot.failures);
      logger.error(
        {
          worker: slot.index,
          pid: worker.process.pid,
          ...(signal ? { signal } : { code }),
          ...(failure ? { reason: failure } : {}),
          restartInMs: delay,
        },
        'a worker stopped unexpectedly; starting a new one',
      );
      slot.restart = setTimeout(() => fork(slot), delay);
    });
  };

  /** Asks every listening worker for its metrics and sums them (prom-client's cluster aggregation). */
  const clusterMetrics = async (): Promise<string> => {
    const asked = slots.flatMap((slot) =>
      slot.listening && slot.worker?.isConnected() ? [slot.worker] : [],
    );
    const answers = await Promise.all(
      asked.map(
        (worker) =>
          new Promise<WorkerMetrics>((resolve) => {
            const id = ++metricsRequestId;
            const timer = setTimeout(() => {
              metricsRequests.delete(id);
              resolve([]);
            }, metricsTimeoutMs);
            metricsRequests.set(id, (metrics) => {
              clearTimeout(timer);
              metricsRequests.delete(id);
              if (!worker.isDead()) lastScraped.set(worker, metrics);
              resolve(metrics);
            });
            send(worker, { aibridge: 'metrics', id });
          }),
      ),
    );
    return AggregatorRegistry.aggregate([...retired, ...answers]).metrics();
  };

  const stopWorkers = async () => {
    stopping = true;
    for (const slot of slots) {
      if (slot.restart) clearTimeout(slot.restart);
      slot.restart = null;
    }
    const running = slots.flatMap((slot) => (slot.worker && !slot.worker.isDead() ? [slot.worker] : []));
    const exited = Promise.all(running.map((worker) => once(worker, 'exit')));
    // A signal rather than a message: a worker still loading its modules has no message listener yet (a
    // message would be lost), while its signal handler, or the default one, always acts.
    for (const worker of running) worker.process.kill('SIGTERM');
    // Each worker gives up on its own after the grace period; this only catches one that hangs anyway
    // (what it had not written is in its crash journal, which the next start replays).
    const kill = setTimeout(() => {
      for (const worker of running) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, config.shutdownGraceMs + 30_000);
    await exited;
    clearTimeout(kill);
  };

  const closeResources = async () => {
    stopPurge();
    await statistics.close();
    await metricsServer?.close();
    await store.close();
    releaseProcessGuard();
  };

  let port: number;
  let adminToken: string | null;
  try {
    await replayJournalDirectories({
      directories: [journalDirectory(config.dataDir), ...workerJournalDirectories(config.dataDir)],
      keep: [journalDirectory(config.dataDir)],
      db: store.db,
      logger,
      write,
    });
    const ports = slots.map(
      (slot) =>
        new Promise<number>((resolve, reject) => {
          firstStarts.set(slot.index, { resolve, reject });
        }),
    );
    for (const slot of slots) fork(slot);
    try {
      [port = config.listen.port] = await Promise.all(ports);
    } finally {
      firstStarts.clear();
    }
    if (config.metricsListen) {
      metricsServer = await startMetricsServer({
        registry: { metrics: clusterMetrics, contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE },
        ...config.metricsListen,
      }).catch((error: unknown) => {
        throw new StartupError(
          `cannot serve metrics on ${formatAddress(config.metricsListen ?? config.listen)}: ${reasonOf(error)}`,
        );
      });
    }
    adminToken = await bootstrapAdmin({ store, tokenFile: config.adminTokenFile, logger });
  } catch (error) {
    await stopWorkers();
    await closeResources();
    throw error;
  }
  started = true;
  // A worker not listening yet is told when it reports that it is.
  for (const slot of slots) if (slot.listening) send(slot.worker, { aibridge: 'started' });
  stopPurge = schedulePurge({ store, logger, retentionMs: config.retentionMs });
  const host = config.listen.host === '0.0.0.0' ? '127.0.0.1' : config.listen.host;
  const url = `http://${formatAddress({ host, port })}`;
  logListening({
    config,
    logger,
    url,
    engine: 'postgres',
    workers: slots.length,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
    adminCreated: Boolean(adminToken),
  });

  let closing: Promise<void> | null = null;
  return {
    url,
    adminToken,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
    close: () => {
      closing ??= (async () => {
        await stopWorkers();
        await closeResources();
        logger.info({ workers: slots.length }, 'aibridge stopped');
      })();
      return closing;
    },
  };
}
