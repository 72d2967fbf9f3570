/**
 * The in-process cost of each observability call the bridge makes per request, in microseconds: what the
 * proxy pays on its event loop for a metrics update, a span (exported to a no-op exporter) and a JSON log
 * line (written to /dev/null). Part of `npm run bench:observability`.
 */
import { createWriteStream } from 'node:fs';
import type { ObservedInterception } from '../../src/observability/interception-figures.js';
import { Metrics } from '../../src/observability/metrics.js';
import { Observability } from '../../src/observability/observability.js';
import { Tracing } from '../../src/observability/tracing.js';
import { createLogger } from '../../src/server/logger.js';

function observed(index: number): ObservedInterception {
  return {
    start: {
      id: `interception-${index}`,
      initiatorId: 'user',
      apiKeyId: null,
      provider: 'openai',
      providerName: 'openai',
      model: 'gpt-4.1',
      client: 'Codex',
      clientSessionId: null,
      threadParentId: null,
      threadRootId: null,
      credentialKind: 'centralized',
      credentialHint: '',
      metadata: {},
      startedAt: new Date(Date.now() - 500),
    },
    outcome: {
      endedAt: new Date(),
      upstreamStatus: 200,
      error: null,
      summary: {
        responseId: 'chatcmpl-1',
        responseModel: 'gpt-4.1-2025-04-14',
        usage: { inputTokens: 1300, outputTokens: 6, cacheReadInputTokens: 1280, cacheWriteInputTokens: 0 },
      },
      metadata: {},
    },
  };
}

/** Microseconds per call of each observability step, after a warm-up. */
export function measureObservabilityCost(calls = 50_000): [string, number][] {
  const time = (call: (index: number) => void) => {
    for (let index = 0; index < 2000; index++) call(index);
    const started = performance.now();
    for (let index = 0; index < calls; index++) call(index);
    return ((performance.now() - started) * 1000) / calls;
  };
  const metrics = new Observability({
    metrics: new Metrics({ recorderQueueDepth: () => 0, databasePool: () => null }),
  });
  const exporter = {
    export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 0 }),
    shutdown: async () => {},
  };
  const tracing = new Observability({
    tracing: new Tracing({ endpoint: 'http://127.0.0.1:9', version: 'bench', exporter }),
  });
  const logger = createLogger({ level: 'info', format: 'json', destination: createWriteStream('/dev/null') });
  const baseline = time((index) => observed(index));
  return [
    ['building the interception figures (baseline)', baseline],
    ['metrics: one interception', time((index) => metrics.interceptionQueued(observed(index))) - baseline],
    [
      'metrics: one request',
      time(() =>
        metrics.requestEnded({
          method: 'POST',
          route: '/api/v2/aibridge/:provider/*',
          status: 200,
          durationSeconds: 0.5,
        }),
      ),
    ],
    [
      'traces: one interception and its upstream span',
      time((index) => tracing.interceptionQueued(observed(index))) - baseline,
    ],
    [
      'log: one JSON request line',
      time((index) =>
        logger.info(
          {
            method: 'POST',
            route: '/api/v2/aibridge/openai/v1/chat/completions',
            status: 200,
            durationMs: 812.4,
            interceptionId: `interception-${index}`,
          },
          'request',
        ),
      ),
    ],
  ];
}
