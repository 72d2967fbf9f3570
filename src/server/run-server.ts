import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Authenticator } from '../auth/authenticate.js';
import type { Config } from '../config/config.js';
import { rowCount } from '../core/records.js';
import { Recorder } from '../recorder/recorder.js';
import { openJournal } from '../recorder/replay-journal.js';
import { StatisticsUpkeep } from '../store/keep-statistics.js';
import { openStore, type Store, type StoreOptions } from '../store/open-store.js';
import { purgeRecords } from '../store/purge-records.js';
import { writeRecords } from '../store/write-records.js';
import { bootstrapAdmin } from './bootstrap-admin.js';
import type { ServerContext } from './context.js';
import { createServer } from './create-server.js';
import { guardProcess } from './guard-process.js';

/** A running server. */
export interface RunningServer {
  app: FastifyInstance;
  context: ServerContext;
  /** The base URL it listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The first-start owner token, when this start created it. */
  adminToken: string | null;
  /** Graceful shutdown: stop accepting, finish in-flight requests (up to the grace period), flush records. */
  close(): Promise<void>;
}

/** Opens the store, creates the first owner if needed, and listens. */
export async function runServer(input: {
  config: Config;
  logger: Logger;
  /** Tests pass a store of their own; it is then not closed by close(). */
  store?: Store;
  storeOptions?: StoreOptions;
}): Promise<RunningServer> {
  const { config, logger } = input;
  const onConnectionError = (error: Error) =>
    logger.warn({ err: error }, 'a database connection broke; it is discarded');
  const store =
    input.store ??
    (await openStore(
      input.storeOptions ??
        (config.databaseUrl
          ? { databaseUrl: config.databaseUrl, onConnectionError }
          : { dataDir: join(config.dataDir, 'pgdata') }),
    ));
  const releaseProcessGuard = guardProcess(logger);
  const adminToken = await bootstrapAdmin({ store, tokenFile: config.adminTokenFile, logger });
  const statistics = new StatisticsUpkeep({ db: store.db, logger });
  statistics.start();
  // Each server keeps its own journal in its own data directory, also when several share one database.
  const opened = openJournal({ directory: join(config.dataDir, 'journal'), logger });
  const recorder = new Recorder({
    db: store.db,
    logger,
    capacity: config.recorderQueueSize,
    journal: opened.journal,
    // The rows written drive the statistics upkeep.
    write: async (db, interceptions) => {
      await writeRecords(db, interceptions);
      statistics.noteWritten(interceptions.reduce((rows, interception) => rows + rowCount(interception), 0));
    },
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
  };
  const app = await createServer(context);
  await app.listen({ host: config.listen.host, port: config.listen.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const stopPurge = schedulePurge({ store, logger, retentionMs: config.retentionMs });
  logger.info(
    { url, engine: store.engine, providers: config.providers.map((p) => p.name) },
    'aibridge listening',
  );

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
      await statistics.close();
      clearInterval(giveUp);
      opened.journal.close();
      if (!input.store) await store.close();
      releaseProcessGuard();
      logger.info({ written: recorder.written }, 'aibridge stopped');
    })();
    return closing;
  };
  return { app, context, url, adminToken, close };
}

/** Purges expired records shortly after start and then hourly; returns a function that stops it. */
function schedulePurge(input: { store: Store; logger: Logger; retentionMs: number }): () => void {
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
