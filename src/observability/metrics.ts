/**
 * Prometheus metrics (prom-client) in a registry of the server's own, so two servers in one process (the
 * tests) never share series. Names come from metric-names.ts.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type ObservedInterception, outcomeLabel } from './interception-figures.js';
import { metricNames } from './metric-names.js';
import type { UpstreamTiming } from './request-facts.js';

/** Where the gauges read their values when scraped. */
export interface MetricSources {
  recorderQueueDepth(): number;
  databasePool(): { total: number; idle: number; waiting: number } | null;
}

/** How one HTTP request ended. */
export interface ObservedRequest {
  method: string;
  route: string;
  status: number;
  durationSeconds: number;
  /** Set for a proxy call that was forwarded without being recorded. */
  passThroughProvider?: string;
}

const latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** The bridge's metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route'>;
  readonly #interceptions: Counter<'provider_name' | 'model' | 'client' | 'outcome'>;
  readonly #interceptionDuration: Histogram<'provider_name' | 'model'>;
  readonly #timeToFirstByte: Histogram<'provider_name' | 'model'>;
  readonly #tokens: Counter<'provider_name' | 'model' | 'client' | 'type'>;
  readonly #passThrough: Counter<'provider_name' | 'status'>;
  readonly #batchDuration: Histogram<'result'>;
  readonly #interceptionsWritten: Counter;
  readonly #batchFailures: Counter;
  readonly #batchRetries: Counter;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#httpRequests = new Counter({
      name: metricNames.httpRequests,
      help: 'HTTP requests served',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#httpDuration = new Histogram({
      name: metricNames.httpRequestDuration,
      help: 'HTTP request duration in seconds',
      labelNames: ['method', 'route'],
      buckets: latencyBuckets,
      registers,
    });
    this.#interceptions = new Counter({
      name: metricNames.interceptions,
      help: 'Interceptions recorded, by outcome (ok, upstream_error, failed, client_disconnected)',
      labelNames: ['provider_name', 'model', 'client', 'outcome'],
      registers,
    });
    this.#interceptionDuration = new Histogram({
      name: metricNames.interceptionDuration,
      help: 'Interception duration in seconds, from arrival to the end of the response',
      labelNames: ['provider_name', 'model'],
      buckets: latencyBuckets,
      registers,
    });
    this.#timeToFirstByte = new Histogram({
      name: metricNames.interceptionTimeToFirstByte,
      help: 'Seconds from arrival to the first byte of the upstream response',
      labelNames: ['provider_name', 'model'],
      buckets: latencyBuckets,
      registers,
    });
    this.#tokens = new Counter({
      name: metricNames.tokens,
      help: 'Tokens used, by type (input, output, cache_read, cache_write)',
      labelNames: ['provider_name', 'model', 'client', 'type'],
      registers,
    });
    this.#passThrough = new Counter({
      name: metricNames.passThroughRequests,
      help: 'Provider calls forwarded without being recorded',
      labelNames: ['provider_name', 'status'],
      registers,
    });
    new Gauge({
      name: metricNames.recorderQueueDepth,
      help: 'Finished interceptions waiting to be written',
      registers,
      collect() {
        this.set(sources.recorderQueueDepth());
      },
    });
    this.#batchDuration = new Histogram({
      name: metricNames.recorderBatchDuration,
      help: 'Duration of one batch write in seconds',
      labelNames: ['result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#interceptionsWritten = new Counter({
      name: metricNames.recorderInterceptionsWritten,
      help: 'Interceptions written',
      registers,
    });
    this.#batchFailures = new Counter({
      name: metricNames.recorderBatchFailures,
      help: 'Batch writes that failed (each is retried)',
      registers,
    });
    this.#batchRetries = new Counter({
      name: metricNames.recorderBatchRetries,
      help: 'Batch writes that succeeded after failing before',
      registers,
    });
    const pool = (field: 'total' | 'idle' | 'waiting') =>
      function collect(this: Gauge) {
        const figures = sources.databasePool();
        if (figures) this.set(figures[field]);
      };
    new Gauge({
      name: metricNames.databasePoolConnections,
      help: 'Database connections open in the pool',
      registers,
      collect: pool('total'),
    });
    new Gauge({
      name: metricNames.databasePoolIdle,
      help: 'Idle database connections in the pool',
      registers,
      collect: pool('idle'),
    });
    new Gauge({
      name: metricNames.databasePoolWaiting,
      help: 'Queries waiting for a database connection',
      registers,
      collect: pool('waiting'),
    });
  }

  /** Counts one HTTP request. */
  request(request: ObservedRequest): void {
    const status = `${Math.floor(request.status / 100)}xx`;
    this.#httpRequests.inc({ method: request.method, route: request.route, status });
    this.#httpDuration.observe({ method: request.method, route: request.route }, request.durationSeconds);
    if (request.passThroughProvider !== undefined) {
      this.#passThrough.inc({ provider_name: request.passThroughProvider, status });
    }
  }

  /** Counts one finished interception: its outcome, duration, time to first byte and tokens. */
  interception(
    observed: ObservedInterception,
    upstream: UpstreamTiming | undefined,
    arrivedAt: number,
  ): void {
    const { start, outcome } = observed;
    const labels = { provider_name: start.providerName, model: start.model };
    this.#interceptions.inc({ ...labels, client: start.client, outcome: outcomeLabel(outcome) });
    const seconds = (outcome.endedAt.getTime() - start.startedAt.getTime()) / 1000;
    this.#interceptionDuration.observe(labels, Math.max(0, seconds));
    const firstByte = upstream?.firstByteAt ?? upstream?.headersAt;
    if (firstByte !== undefined) this.#timeToFirstByte.observe(labels, (firstByte - arrivedAt) / 1000);
    const usage = outcome.summary?.usage;
    if (usage) {
      const tokenLabels = { ...labels, client: start.client };
      this.#tokens.inc({ ...tokenLabels, type: 'input' }, usage.inputTokens);
      this.#tokens.inc({ ...tokenLabels, type: 'output' }, usage.outputTokens);
      this.#tokens.inc({ ...tokenLabels, type: 'cache_read' }, usage.cacheReadInputTokens);
      this.#tokens.inc({ ...tokenLabels, type: 'cache_write' }, usage.cacheWriteInputTokens);
    }
  }

  /** Counts one batch write of the recorder. */
  batchWritten(input: { interceptions: number; seconds: number; ok: boolean; afterFailure: boolean }): void {
    this.#batchDuration.observe({ result: input.ok ? 'ok' : 'failed' }, input.seconds);
    if (input.ok) {
      this.#interceptionsWritten.inc(input.interceptions);
      if (input.afterFailure) this.#batchRetries.inc();
    } else {
      this.#batchFailures.inc();
    }
  }
}
