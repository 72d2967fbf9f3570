/**
 * Every Prometheus series the bridge exports, named once: the metrics module, the README and the sample
 * Grafana dashboard (docs/grafana-dashboard.json) use these names.
 */
export const metricNames = {
  /** Counter: HTTP requests served, by method, route, status class. */
  httpRequests: 'aibridge_http_requests_total',
  /** Histogram: HTTP request duration in seconds, by method and route. */
  httpRequestDuration: 'aibridge_http_request_duration_seconds',
  /** Counter: interceptions recorded, by provider name, model, client and outcome. */
  interceptions: 'aibridge_interceptions_total',
  /** Histogram: interception duration in seconds (arrival to end of response), by provider name and model. */
  interceptionDuration: 'aibridge_interception_duration_seconds',
  /** Histogram: time to the first upstream byte in seconds, by provider name and model. */
  interceptionTimeToFirstByte: 'aibridge_interception_time_to_first_byte_seconds',
  /** Counter: tokens by provider name, model, client and type (input, output, cache_read, cache_write). */
  tokens: 'aibridge_tokens_total',
  /** Counter: pass-through calls (not recorded), by provider name and status class. */
  passThroughRequests: 'aibridge_passthrough_requests_total',
  /** Gauge: finished interceptions waiting in the recorder's queue. */
  recorderQueueDepth: 'aibridge_recorder_queue_depth',
  /** Histogram: duration of one batch write in seconds, by result (ok, failed). */
  recorderBatchDuration: 'aibridge_recorder_batch_write_duration_seconds',
  /** Counter: interceptions written. */
  recorderInterceptionsWritten: 'aibridge_recorder_interceptions_written_total',
  /** Counter: batch writes that failed (each is retried). */
  recorderBatchFailures: 'aibridge_recorder_batch_failures_total',
  /** Counter: batch writes that succeeded after at least one failure. */
  recorderBatchRetries: 'aibridge_recorder_batch_retries_total',
  /** Gauges: database connections in the pool: total, idle, and requests waiting for one. */
  databasePoolConnections: 'aibridge_database_pool_connections',
  databasePoolIdle: 'aibridge_database_pool_idle_connections',
  databasePoolWaiting: 'aibridge_database_pool_waiting_requests',
  /** Process metrics keep prom-client's standard names (`process_*`, `nodejs_*`) so stock dashboards work. */
  processCpu: 'process_cpu_seconds_total',
  processResidentMemory: 'process_resident_memory_bytes',
  eventLoopLag: 'nodejs_eventloop_lag_p99_seconds',
} as const;

/** The outcome label of an interception. */
export type InterceptionOutcomeLabel = 'ok' | 'upstream_error' | 'failed' | 'client_disconnected';
