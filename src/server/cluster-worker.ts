/**
 * One worker of `aibridge server --workers N` (see run-cluster.ts): a whole proxy with its own recorder and
 * crash journal, on the port node:cluster shares, answering its primary over the IPC channel.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import {
  type FromWorker,
  isClusterMessage,
  type ToWorker,
  type WorkerMetrics,
  workerIndexVariable,
} from './cluster-messages.js';
import { type RunningServer, runServer } from './run-server.js';
import { reasonOf } from './startup-error.js';

/** Runs this process as worker `AIBRIDGE_WORKER_INDEX` until the primary (or a signal) stops it. */
export async function runClusterWorker(input: { config: Config; logger: Logger }): Promise<void> {
  const index = Number(process.env[workerIndexVariable]);
  // Every line this process logs says which worker wrote it.
  const logger = input.logger.child({ worker: index });
  const send = (message: FromWorker, then?: () => void) => {
    // The channel closes when the primary dies, and node:cluster then ends this process itself.
    if (!process.connected || !process.send) return then?.();
    process.send(message, undefined, {}, () => then?.());
  };
  let server: RunningServer | undefined;
  let stopRequested = false;
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const stop = () => {
    stopRequested = true;
    // Before the server is up there is nothing to drain; it is stopped as soon as it is.
    if (!server) return;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('message', (message: unknown) => {
    if (!isClusterMessage<ToWorker>(message)) return;
    if (message.aibridge === 'started') markStarted();
    else if (message.aibridge === 'metrics') {
      const registry = server?.context.observability?.metrics?.registry;
      const reply = (metrics: WorkerMetrics) => send({ aibridge: 'metrics', id: message.id, metrics });
      if (!registry) reply([]);
      else
        registry.getMetricsAsJSON().then(reply, (error: unknown) => {
          logger.warn({ err: error }, 'collecting metrics failed');
          reply([]);
        });
    }
  });
  // The primary stops a worker with SIGTERM; a terminal's Ctrl-C reaches every process of the group.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    server = await runServer({
      config: input.config,
      logger,
      worker: { index, started, noteWritten: (rows) => send({ aibridge: 'written', rows }) },
    });
  } catch (error) {
    // The primary prints the reason once; this process only reports it and leaves.
    send({ aibridge: 'failed', message: reasonOf(error) }, () => process.exit(1));
    return;
  }
  send({ aibridge: 'listening', port: Number(new URL(server.url).port) });
  if (stopRequested) stop();
}
