/**
 * OpenTelemetry traces: one span per interception following the GenAI semantic conventions, with the
 * upstream call as its child. Spans are built when the interception's records are queued (their times
 * are known by then), and exported in batches over OTLP/HTTP. Off unless an endpoint is configured.
 */
import { type Attributes, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { type ObservedInterception, outcomeLabel } from './interception-figures.js';
import type { UpstreamTiming } from './request-facts.js';

/** Exports interception spans. */
export class Tracing {
  readonly #provider: TracerProvider;
  readonly #tracer;

  /** `endpoint` is the OTLP base URL (as OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`. */
  constructor(input: { endpoint: string; version: string; exporter?: SpanExporter }) {
    const exporter = input.exporter ?? new OTLPTraceExporter({ url: `${input.endpoint}/v1/traces` });
    this.#provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'aibridge', 'service.version': input.version }),
      spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1000 })],
    });
    this.#tracer = this.#provider.getTracer('aibridge', input.version);
  }

  /**
   * Records the span of one interception and, when an upstream call was made, its child. `clock` maps
   * `performance.now()` readings of the upstream timing to wall-clock milliseconds.
   */
  interception(input: {
    observed: ObservedInterception;
    upstream: UpstreamTiming | undefined;
    clock: (performanceNow: number) => number;
    operation: string;
  }): void {
    const { start, outcome } = input.observed;
    const usage = outcome.summary?.usage;
    const responseModel = outcome.summary?.responseModel;
    const attributes: Attributes = {
      'gen_ai.operation.name': input.operation,
      'gen_ai.provider.name': start.provider,
      'gen_ai.system': start.provider,
      'gen_ai.request.model': start.model,
      'aibridge.interception.id': start.id,
      'aibridge.provider_name': start.providerName,
      'aibridge.client': start.client,
      'aibridge.outcome': outcomeLabel(outcome),
      'enduser.id': start.initiatorId,
      ...(responseModel ? { 'gen_ai.response.model': responseModel } : {}),
      ...(outcome.summary?.responseId ? { 'gen_ai.response.id': outcome.summary.responseId } : {}),
      ...(usage
        ? {
            'gen_ai.usage.input_tokens': usage.inputTokens,
            'gen_ai.usage.output_tokens': usage.outputTokens,
            'gen_ai.usage.cache_read.input_tokens': usage.cacheReadInputTokens,
            'gen_ai.usage.cache_creation.input_tokens': usage.cacheWriteInputTokens,
          }
        : {}),
      ...(outcome.upstreamStatus !== null ? { 'http.response.status_code': outcome.upstreamStatus } : {}),
    };
    const span = this.#tracer.startSpan(`${input.operation} ${start.model}`, {
      kind: SpanKind.SERVER,
      startTime: start.startedAt,
      attributes,
    });
    if (outcome.error !== null) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
      span.setAttribute('error.type', outcomeLabel(outcome));
    }
    const upstream = input.upstream;
    if (upstream) {
      const child = this.#tracer.startSpan(
        `POST ${start.providerName}`,
        {
          kind: SpanKind.CLIENT,
          startTime: input.clock(upstream.startedAt),
          attributes: {
            'gen_ai.provider.name': start.provider,
            'gen_ai.request.model': start.model,
            ...(upstream.status !== undefined ? { 'http.response.status_code': upstream.status } : {}),
          },
        },
        trace.setSpan(context.active(), span),
      );
      if (upstream.firstByteAt !== undefined) child.addEvent('first_byte', input.clock(upstream.firstByteAt));
      if (upstream.error !== undefined)
        child.setStatus({ code: SpanStatusCode.ERROR, message: upstream.error });
      child.end(input.clock(upstream.endedAt ?? performance.now()));
    }
    span.end(outcome.endedAt);
  }

  /** Exports the spans buffered so far. */
  async flush(): Promise<void> {
    await this.#provider.forceFlush();
  }

  /** Exports what is buffered and stops. */
  async close(): Promise<void> {
    await this.#provider.shutdown();
  }
}
