import { Writable } from 'node:stream';
import { sql } from 'kysely';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../src/config/config.js';
import { metricNames } from '../src/observability/metric-names.js';
import { createLogger } from '../src/server/logger.js';
import { FakeProvider } from './fake-provider/fake-provider.js';
import { openTestStore } from './support/databases.js';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js';
import { startTestServer, type TestServer } from './support/server.js';

const centralKey = 'sk-central-observability-0123456789';
const queryKey = 'sk-in-the-query-string-987654321';

/** The value of one sample of a Prometheus text exposition, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('observability of a running bridge', () => {
  let opened: Awaited<ReturnType<typeof openTestStore>>;
  let fake: FakeProvider;
  let receiver: OtlpReceiver;
  let server: TestServer;
  let member: { id: string; token: string };
  let client: OpenAI;
  const lines: string[] = [];
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const waiters: Array<() => void> = [];
  /** Resolves once a line matching `predicate` was logged (lines are written when responses close). */
  const lineLogged = async (predicate: (line: Record<string, unknown>) => boolean) => {
    while (!logged().some(predicate)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const metrics = async () => {
    const url = server.metricsUrl;
    if (!url) throw new Error('metrics are not served');
    return (await fetch(url)).text();
  };

  beforeAll(async () => {
    opened = await openTestStore('pglite');
    fake = await FakeProvider.start();
    receiver = await startOtlpReceiver();
    const providers: ProviderConfig[] = [
      { name: 'openai', type: 'openai', baseUrl: `${fake.url}/v1`, key: centralKey },
      { name: 'anthropic', type: 'anthropic', baseUrl: fake.url, key: centralKey },
    ];
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      destination: Object.assign(new Writable(), {
        write: (line: string) => {
          lines.push(...line.split('\n').filter(Boolean));
          for (const wake of waiters.splice(0)) wake();
          return true;
        },
      }),
    });
    server = await startTestServer({
      store: opened.store,
      logger,
      config: { providers, metricsListen: { host: '127.0.0.1', port: 0 }, otelEndpoint: receiver.url },
    });
    member = await server.createUser('observed');
    client = new OpenAI({
      baseURL: `${server.url}/api/v2/aibridge/openai/v1`,
      apiKey: member.token,
      defaultQuery: { key: queryKey },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await fake?.close();
    await opened?.dispose();
  });

  it('logs one line per request with route, status, duration, user and interception id, and no secret', async () => {
    const stream = await client.chat.completions
      .create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'weather?' }] })
      .withResponse();
    for await (const _chunk of stream.data) {
    }
    const interceptionId = stream.response.headers.get('x-aibridge-interception-id');
    await lineLogged((line) => line.msg === 'request' && line.interceptionId === interceptionId);
    const requestLines = logged().filter(
      (line) => line.msg === 'request' && line.interceptionId === interceptionId,
    );
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: 30,
      method: 'POST',
      route: '/api/v2/aibridge/openai/v1/chat/completions',
      status: 200,
      userId: member.id,
    });
    expect(requestLines[0]?.durationMs).toEqual(expect.any(Number));
    const everything = lines.join('\n');
    for (const secret of [member.token, queryKey, centralKey, server.adminToken]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('logs refused requests too: a bad token and an unknown provider', async () => {
    const before = lines.length;
    const refused = await fetch(`${server.url}/api/v2/aibridge/openai/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer abcdefghij-abcdefghijabcdefghijab',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(refused.status).toBe(401);
    const unknown = await fetch(`${server.url}/api/v2/aibridge/nowhere/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}` },
    });
    expect(unknown.status).toBe(404);
    await lineLogged((line) => line.msg === 'request' && line.status === 404);
    const requestLines = lines
      .slice(before)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request');
    expect(requestLines).toEqual([
      expect.objectContaining({ status: 401, route: '/api/v2/aibridge/openai/v1/chat/completions' }),
      expect.objectContaining({ status: 404, route: '/api/v2/aibridge/:provider/*' }),
    ]);
    expect(requestLines[0]).not.toHaveProperty('userId');
  });

  it('logs successful health probes at debug, not info', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await lineLogged((line) => line.msg === 'request' && line.route === '/healthz');
    const probe = logged().find((line) => line.msg === 'request' && line.route === '/healthz');
    expect(probe).toMatchObject({ level: 20, status: 200 });
  });

  it('writes debug lines for the arrival of a request and the timing of its upstream call', () => {
    const debug = logged().filter((line) => line.level === 20);
    expect(debug.some((line) => line.msg === 'request received' && line.method === 'POST')).toBe(true);
    const upstream = debug.find((line) => line.msg === 'upstream call');
    expect(upstream).toMatchObject({ upstreamStatus: 200 });
    expect(upstream?.firstByteMs).toEqual(expect.any(Number));
  });

  it('exposes the documented series on /metrics with the values of the traffic served', async () => {
    fake.script({
      kind: 'status',
      status: 429,
      body: '{"error":{"message":"slow down","type":"rate_limit"}}',
    });
    await expect(
      client.chat.completions.create(
        { model: 'gpt-4.1', messages: [{ role: 'user', content: 'again' }] },
        { maxRetries: 0 },
      ),
    ).rejects.toThrow(/429/);
    await lineLogged((line) => line.msg === 'request' && line.status === 429);
    const models = await fetch(`${server.url}/api/v2/aibridge/openai/v1/models`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    expect(models.status).toBe(200);
    await models.text();
    await lineLogged((line) => line.msg === 'request' && line.route === '/api/v2/aibridge/openai/v1/models');
    await server.context.recorder.drain();
    const text = await metrics();

    const rows = await sql<{
      client: string;
      input: number;
      output: number;
      cache_read: number;
      cache_write: number;
    }>`
      SELECT i.client, sum(t.input_tokens) AS input, sum(t.output_tokens) AS output,
             sum(t.cache_read_input_tokens) AS cache_read, sum(t.cache_write_input_tokens) AS cache_write
      FROM aibridge_interceptions i JOIN aibridge_token_usages t ON t.interception_id = i.id
      WHERE i.provider_name = 'openai' GROUP BY i.client`.execute(opened.store.db);
    expect(rows.rows).toHaveLength(1);
    const stored = rows.rows[0];
    if (!stored) throw new Error('no token usage stored');
    const labels = { provider_name: 'openai', model: 'gpt-4.1', client: stored.client };
    expect(sample(text, metricNames.interceptions, { ...labels, outcome: 'ok' })).toBe(1);
    expect(sample(text, metricNames.interceptions, { ...labels, outcome: 'upstream_error' })).toBe(1);
    expect(sample(text, metricNames.tokens, { ...labels, type: 'input' })).toBe(Number(stored.input));
    expect(sample(text, metricNames.tokens, { ...labels, type: 'output' })).toBe(Number(stored.output));
    expect(sample(text, metricNames.tokens, { ...labels, type: 'cache_read' })).toBe(
      Number(stored.cache_read),
    );
    expect(sample(text, metricNames.tokens, { ...labels, type: 'cache_write' })).toBe(
      Number(stored.cache_write),
    );
    const model = { provider_name: 'openai', model: 'gpt-4.1' };
    expect(sample(text, `${metricNames.interceptionDuration}_count`, model)).toBe(2);
    expect(sample(text, `${metricNames.interceptionTimeToFirstByte}_count`, model)).toBe(2);
    expect(sample(text, metricNames.passThroughRequests, { provider_name: 'openai', status: '2xx' })).toBe(1);
    expect(
      sample(text, metricNames.httpRequests, {
        method: 'POST',
        route: '/api/v2/aibridge/:provider/*',
        status: '4xx',
      }),
    ).toBe(3);
    expect(
      sample(text, `${metricNames.httpRequestDuration}_count`, {
        method: 'GET',
        route: '/api/v2/aibridge/:provider/*',
      }),
    ).toBe(1);
    expect(server.context.recorder.written).toBeGreaterThan(0);
    expect(sample(text, metricNames.recorderInterceptionsWritten)).toBe(server.context.recorder.written);
    expect(sample(text, `${metricNames.recorderBatchDuration}_count`, { result: 'ok' })).toBeGreaterThan(0);
    expect(sample(text, metricNames.recorderBatchFailures)).toBe(0);
    expect(sample(text, metricNames.recorderBatchRetries)).toBe(0);
    expect(sample(text, metricNames.recorderQueueDepth)).toBe(0);
    expect(sample(text, metricNames.databasePoolConnections)).toBeGreaterThan(0);
    expect(sample(text, metricNames.databasePoolWaiting)).toBe(0);
    expect(sample(text, metricNames.processCpu)).toBeGreaterThan(0);
    expect(sample(text, metricNames.processResidentMemory)).toBeGreaterThan(0);
  });

  it('exports a span per interception with the GenAI attributes and the upstream call as its child', async () => {
    const tracing = server.context.observability?.tracing;
    if (!tracing) throw new Error('tracing is off');
    await tracing.flush();
    const interceptionSpans = receiver.spans.filter((span) => span.attributes['aibridge.outcome'] === 'ok');
    expect(interceptionSpans).toHaveLength(1);
    const span = interceptionSpans[0];
    expect(span?.name).toBe('chat gpt-4.1');
    expect(span?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4.1',
      'gen_ai.response.model': 'gpt-4.1-2025-04-14',
      'gen_ai.response.id': 'chatcmpl-Text2',
      'enduser.id': member.id,
    });
    expect(span?.attributes['gen_ai.usage.input_tokens']).toEqual(expect.any(Number));
    expect(span?.attributes['gen_ai.usage.output_tokens']).toEqual(expect.any(Number));
    expect(span?.resource['service.name']).toBe('aibridge');
    const children = receiver.spans.filter((child) => child.parentSpanId === span?.spanId);
    expect(children).toHaveLength(1);
    expect(children[0]).toMatchObject({ traceId: span?.traceId, name: 'POST openai' });
    expect(children[0]?.attributes['http.response.status_code']).toBe(200);
    expect(BigInt(children[0]?.startTimeUnixNano ?? 0)).toBeGreaterThanOrEqual(
      BigInt(span?.startTimeUnixNano ?? 0),
    );
    const failed = receiver.spans.find((other) => other.attributes['aibridge.outcome'] === 'upstream_error');
    expect(failed?.status.code).toBe(2);
  });
});

describe('the log format', () => {
  const capture = (format: 'json' | 'pretty') => {
    const written: string[] = [];
    const destination = Object.assign(new Writable(), {
      write: (line: string) => {
        written.push(line);
        return true;
      },
    });
    return { logger: createLogger({ level: 'info', format, destination }), written };
  };
  it('writes one compact line per entry for a terminal', () => {
    const { logger, written } = capture('pretty');
    logger.info({ method: 'GET', route: '/healthz', status: 200, durationMs: 1.5 }, 'request');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(
      /^\d{2}:\d{2}:\d{2}\.\d{3} INFO {2}request method=GET route=\/healthz status=200 durationMs=1\.5\n$/,
    );
  });
  it('writes one JSON object per entry for machines', () => {
    const { logger, written } = capture('json');
    logger.warn({ provider: 'openai' }, 'provider has no key');
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] ?? '')).toMatchObject({
      level: 40,
      provider: 'openai',
      msg: 'provider has no key',
      service: 'aibridge',
    });
  });
});
