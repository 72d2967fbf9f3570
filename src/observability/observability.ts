/**
 * The one object the server hands to the layers that report: the proxy reports each finished
 * interception once, the recorder each batch, the server each request. Metrics and traces are each
 * optional; with both off every call is a few property reads.
 */
import type { ObservedInterception } from './interception-figures.js';
import type { Metrics, ObservedRequest } from './metrics.js';
import { currentRequestFacts } from './request-facts.js';
import type { Tracing } from './tracing.js';

/** What the recorder reports about each batch write. */
export interface RecorderObserver {
  batchWritten(input: { interceptions: number; seconds: number; ok: boolean; afterFailure: boolean }): void;
}

/** Fans reports out to the metrics and the tracing that are on. */
export class Observability implements RecorderObserver {
  readonly metrics: Metrics | undefined;
  readonly tracing: Tracing | undefined;

  constructor(input: { metrics?: Metrics | undefined; tracing?: Tracing | undefined } = {}) {
    this.metrics = input.metrics;
    this.tracing = input.tracing;
  }

  /** One finished interception, reported where the proxy queues its records. */
  interceptionQueued(observed: ObservedInterception): void {
    const facts = currentRequestFacts();
    if (facts) facts.interceptionId = observed.start.id;
    if (!this.metrics && !this.tracing) return;
    const upstream = facts?.upstream;
    this.metrics?.interception(observed, upstream, facts?.startedAt ?? performance.now());
    this.tracing?.interception({
      observed,
      upstream,
      operation: 'chat',
      clock: (performanceNow) => performance.timeOrigin + performanceNow,
    });
  }

  /** One HTTP request that ended. */
  requestEnded(request: ObservedRequest): void {
    this.metrics?.request(request);
  }

  batchWritten(input: { interceptions: number; seconds: number; ok: boolean; afterFailure: boolean }): void {
    this.metrics?.batchWritten(input);
  }

  /** Flushes the traces still buffered. */
  async close(): Promise<void> {
    await this.tracing?.close();
  }
}
