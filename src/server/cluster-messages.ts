/**
 * The messages between a cluster's primary and its workers over the IPC channel node:cluster opens. Each
 * carries an `aibridge` tag so they never mix with messages of a library that uses the same channel.
 */
import type { Registry } from 'prom-client';

/** From the primary to a worker. */
export type ToWorker =
  /** Start-up is done (the first owner exists): stop answering 503. */
  | { aibridge: 'started' }
  /** Send this process's metrics, for the sum the primary serves. */
  | { aibridge: 'metrics'; id: number };

/** A worker's metrics as prom-client renders them for aggregation. */
export type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** From a worker to the primary. */
export type FromWorker =
  | { aibridge: 'listening'; port: number }
  /** Start-up failed: the one-line reason; the worker exits next. */
  | { aibridge: 'failed'; message: string }
  | { aibridge: 'written'; rows: number }
  | { aibridge: 'metrics'; id: number; metrics: WorkerMetrics };

/** The environment variable that gives a forked worker its number (from 1). */
export const workerIndexVariable = 'AIBRIDGE_WORKER_INDEX';

/** Whether a message that arrived on the channel is one of ours. */
export function isClusterMessage<T extends { aibridge: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && 'aibridge' in message;
}
