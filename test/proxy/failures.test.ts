import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { freePort } from '../support/processes.js';
import { type ProxyHarness, readEndedInterception, startProxyHarness } from './harness.js';

const rateLimited = JSON.stringify({
  type: 'error',
  error: {
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit',
  },
});

describeEachDatabase('proxy failures', (getStore) => {
  let harness: ProxyHarness;
  let anthropic: Anthropic;
  let openai: OpenAI;
  beforeAll(async () => {
    const deadPort = await freePort();
    harness = await startProxyHarness(getStore(), {}, [
      { name: 'dead', type: 'openai', baseUrl: `http://127.0.0.1:${deadPort}/v1`, key: 'sk-dead-0000' },
    ]);
    // Retries would hide the first answer; everything else is the stock client.
    anthropic = new Anthropic({
      baseURL: harness.providerUrl('anthropic'),
      apiKey: harness.member.token,
      maxRetries: 0,
    });
    openai = new OpenAI({
      baseURL: `${harness.providerUrl('openai')}/v1`,
      apiKey: harness.member.token,
      maxRetries: 0,
    });
  });
  afterAll(async () => {
    await harness?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const store = () => getStore();
  const message = {
    model: 'claude-sonnet-5-5',
    max_tokens: 64,
    messages: [{ role: 'user' as const, content: 'hi' }],
  };

  it('passes an upstream error status and body through and records them', async () => {
    harness.fake.script({ kind: 'status', status: 429, body: rateLimited });
    const raw = await anthropic.messages
      .create(message)
      .asResponse()
      .catch((error: unknown) => error);
    expect(raw).toBeInstanceOf(Anthropic.RateLimitError);
    expect((raw as InstanceType<typeof Anthropic.RateLimitError>).error).toEqual(JSON.parse(rateLimited));

    harness.fake.script({ kind: 'status', status: 429, body: rateLimited });
    const response = await fetch(`${harness.providerUrl('anthropic')}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': harness.member.token,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify(message),
    });
    expect(response.status).toBe(429);
    expect(await response.text()).toBe(rateLimited);
    const stored = await readEndedInterception(
      store(),
      response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(stored.interception).toMatchObject({
      upstream_status: 429,
      error: 'Number of request tokens has exceeded your per-minute rate limit',
    });
    expect(stored.userPrompts.map((prompt) => prompt.prompt)).toEqual(['hi']);
    expect(stored.tokenUsages).toEqual([]);
  });

  it('turns a stream broken off mid-way into the provider error event and ends the interception with the error', async () => {
    harness.fake.script({ kind: 'drop', fixture: 'anthropic/stream-thinking-tools.sse', afterEvents: 5 });
    const { data: stream, response } = await anthropic.messages
      .create({ ...message, stream: true })
      .withResponse();
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((error: unknown) => error);
    expect(seen).toContain('message_start');
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(String((failure as Error).message)).toMatch(/upstream response failed/);
    const stored = await readEndedInterception(
      store(),
      response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(stored.interception?.upstream_status).toBe(200);
    expect(stored.interception?.error).toMatch(/^upstream response failed/);
    // What arrived before the break is still recorded.
    expect(stored.tokenUsages).toMatchObject([{ input_tokens: 12, cache_read_input_tokens: 15000 }]);
  });

  it('raises an OpenAI error chunk in the SDK when a chat stream breaks off', async () => {
    harness.fake.script({ kind: 'drop', fixture: 'openai-chat/stream-tools.sse', afterEvents: 2 });
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const failure = await (async () => {
      for await (const _chunk of stream) {
        // consume
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_stream_failed');
    const stored = await readEndedInterception(
      store(),
      response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(stored.interception?.error).toMatch(/^upstream response failed/);
  });

  it('relays a provider error event and records its message', async () => {
    harness.fake.script({ kind: 'fixture', fixture: 'anthropic/stream-overloaded.sse' });
    const { data: stream, response } = await anthropic.messages
      .create({ ...message, stream: true })
      .withResponse();
    const failure = await (async () => {
      for await (const _event of stream) {
        // consume
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    const stored = await readEndedInterception(
      store(),
      response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(stored.interception).toMatchObject({ upstream_status: 200, error: 'Overloaded' });
  });

  it('answers 502 in the provider shape when the upstream is unreachable, and records the interception', async () => {
    const dead = new OpenAI({
      baseURL: `${harness.providerUrl('dead')}/v1`,
      apiKey: harness.member.token,
      maxRetries: 0,
    });
    const failure = await dead.chat.completions
      .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
      .asResponse()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    const apiError = failure as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(502);
    expect(apiError.code).toBe('upstream_unreachable');
    expect(apiError.type).toBe('server_error');
    const id = apiError.headers?.get('x-aibridge-interception-id') ?? '';
    const stored = await readEndedInterception(store(), id);
    expect(stored.interception).toMatchObject({ provider_name: 'dead', upstream_status: null });
    expect(stored.interception?.error).toMatch(/^upstream unreachable/);
  });

  it('aborts the upstream request when the client disconnects and still ends the interception', async () => {
    harness.fake.script({ kind: 'stall', fixture: 'anthropic/stream-thinking-tools.sse', afterEvents: 3 });
    const abort = new AbortController();
    const response = await fetch(`${harness.providerUrl('anthropic')}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': harness.member.token, 'content-type': 'application/json' },
      body: JSON.stringify({ ...message, stream: true }),
      signal: abort.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    abort.abort();
    const exchange = harness.fake.last();
    await exchange.done;
    expect(exchange.clientClosed).toBe(true);
    const stored = await readEndedInterception(
      store(),
      response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(stored.interception?.error).toMatch(/client disconnected/);
    expect(stored.interception?.metadata).toMatchObject({ client_disconnected: true });
    expect(stored.tokenUsages).toMatchObject([{ input_tokens: 12 }]);
  });

  it('records a chat stream the client leaves right after its finish_reason chunk as complete', async () => {
    harness.fake.script({
      kind: 'stall',
      fixture: 'openai-chat/stream-tools.sse',
      afterEvents: Number.POSITIVE_INFINITY,
    });
    const abort = new AbortController();
    const { data, response } = await openai.chat.completions
      .create(
        { model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'weather?' }] },
        { signal: abort.signal },
      )
      .withResponse();
    const finishes: string[] = [];
    for await (const chunk of data) {
      const reason = chunk.choices[0]?.finish_reason;
      if (reason) {
        finishes.push(reason);
        abort.abort();
        break;
      }
    }
    expect(finishes).toEqual(['tool_calls']);
    await harness.fake.last().done;
    expect(harness.fake.last().clientClosed).toBe(true);
    const stored = await readEndedInterception(
      store(),
      response.headers.get('x-aibridge-interception-id') ?? '',
    );
    expect(stored.interception).toMatchObject({ upstream_status: 200, error: null });
    expect(stored.interception?.metadata).not.toHaveProperty('client_disconnected');
    expect(stored.toolUsages.map((tool) => tool.provider_tool_call_id)).toEqual(['call_Paris', 'call_Tokyo']);
  });

  it('answers 503 in the provider shape, without calling upstream, when the record queue is full', async () => {
    vi.spyOn(harness.server.context.recorder, 'hasRoom').mockReturnValue(false);
    const before = harness.fake.exchanges.length;
    const failure = await openai.chat.completions
      .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 503, code: 'recorder_queue_full' });
    const anthropicFailure = await anthropic.messages.create(message).catch((error: unknown) => error);
    expect(anthropicFailure).toMatchObject({
      status: 503,
      error: { type: 'error', error: { type: 'overloaded_error' } },
    });
    expect(harness.fake.exchanges.length).toBe(before);
  });
});
