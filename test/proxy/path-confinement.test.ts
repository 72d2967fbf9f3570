import { request as httpRequest } from 'node:http';
import { PassThrough } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeProvider } from '../fake-provider/fake-provider.js';
import { describeEachDatabase } from '../support/databases.js';
import { startTestServer } from '../support/server.js';
import {
  centralAnthropicKey,
  centralOpenaiKey,
  type ProxyHarness,
  readEndedInterception,
  startProxyHarness,
} from './harness.js';

/** A response read whole. */
interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a request line exactly as given (like `curl --path-as-is`): fetch would resolve dot segments. */
function rawRequest(input: {
  url: string;
  method: string;
  path: string;
  token: string;
  body?: Buffer | string;
}): Promise<RawResponse> {
  const { hostname, port } = new URL(input.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: hostname,
        port,
        method: input.method,
        path: input.path,
        headers: {
          authorization: `Bearer ${input.token}`,
          ...(input.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(input.body);
  });
}

const chatBody = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
const responsesBody = JSON.stringify({ model: 'gpt-4.1', input: 'hi' });
const messagesBody = JSON.stringify({
  model: 'claude-sonnet-5-5',
  max_tokens: 8,
  messages: [{ role: 'user', content: 'hi' }],
});

describeEachDatabase('provider path confinement and the pass-through allow-list', (getStore) => {
  let harness: ProxyHarness;
  beforeAll(async () => {
    harness = await startProxyHarness(getStore(), {}, (fakeUrl) => [
      { name: 'tenant', type: 'openai', baseUrl: `${fakeUrl}/tenant-a/v1`, key: 'sk-tenant-a-0123456789' },
      {
        name: 'extended',
        type: 'openai',
        baseUrl: `${fakeUrl}/v1`,
        key: centralOpenaiKey,
        passThrough: [{ method: 'POST', path: '/v1/embeddings' }],
      },
    ]);
  });
  afterAll(async () => {
    await harness?.close();
  });

  const send = (method: string, path: string, body?: Buffer | string) =>
    rawRequest({
      url: harness.server.url,
      method,
      path: `/api/v2/aibridge${path}`,
      token: harness.member.token,
      ...(body === undefined ? {} : { body }),
    });

  const countInterceptions = async () => {
    const row = await getStore()
      .db.selectFrom('aibridge_interceptions')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  it('refuses dot segments, encoded slashes and backslashes with a 400 in the provider shape, sending nothing upstream', async () => {
    const cases: Array<[string, string, string | undefined]> = [
      ['GET', '/tenant/v1/../../tenant-b/v1/models', undefined],
      ['GET', '/tenant/v1/%2e%2e/%2E%2e/tenant-b/v1/models', undefined],
      ['GET', '/tenant/v1/.%2E/.%2e/tenant-b/v1/models', undefined],
      ['POST', '/tenant/v1/../../tenant-b/v1/chat/completions', chatBody],
      ['POST', '/tenant/v1/%2e%2e/%2e%2e/tenant-b/v1/chat/completions', chatBody],
      ['GET', '/openai/v1/../../../users', undefined],
      ['POST', '/openai/v1/../../../users', '{}'],
      ['GET', '/openai/v1/./models', undefined],
      ['GET', '/openai/v1/%2E/models', undefined],
      ['GET', '/openai/v1/models/..;/..;/users', undefined],
      ['GET', '/openai/v1/..%2f..%2Fusers', undefined],
      ['GET', '/openai/v1/..%5c..%5Cusers', undefined],
      ['GET', '/openai/v1/..\\..\\users', undefined],
      ['POST', '/openai/v1/./chat/completions', chatBody],
      ['POST', '/openai/v1/x/../chat/completions', chatBody],
      ['POST', '/openai/v1/x/%2e%2e/responses', responsesBody],
      ['POST', '/anthropic/v1/x/../messages', messagesBody],
    ];
    const before = harness.fake.exchanges.length;
    for (const [method, path, body] of cases) {
      const response = await send(method, path, body);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      const error = JSON.parse(response.body) as Record<string, unknown>;
      if (path.startsWith('/anthropic/')) {
        expect(error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      } else {
        expect(error).toMatchObject({
          error: { type: 'invalid_request_error', code: 'invalid_request_path', message: expect.any(String) },
        });
      }
    }
    expect(harness.fake.exchanges.length).toBe(before);
  });

  it('intercepts and records every spelling of a generation endpoint the provider would receive', async () => {
    const cases: Array<[string, string, string]> = [
      ['/openai/chat/completions', chatBody, '/v1/chat/completions'],
      ['/openai/responses', responsesBody, '/v1/responses'],
      ['/openai/responses/compact', responsesBody, '/v1/responses/compact'],
      ['/openai/v1/chat/completions/', chatBody, '/v1/chat/completions'],
      ['/openai/v1//chat//completions', chatBody, '/v1/chat/completions'],
      ['/openai/v1/chat/c%6Fmpletions', chatBody, '/v1/chat/completions'],
      ['/anthropic/v1/messages/', messagesBody, '/v1/messages'],
    ];
    for (const [path, body, upstreamPath] of cases) {
      const response = await send('POST', path, body);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(harness.fake.last()).toMatchObject({ method: 'POST', path: upstreamPath });
      const id = response.headers['x-aibridge-interception-id'];
      expect(typeof id).toBe('string');
      const stored = await readEndedInterception(getStore(), String(id));
      expect(stored.interception?.initiator_id).toBe(harness.member.id);
    }
  });

  it('answers 404 in the provider shape to paths off the allow-list, sending nothing upstream', async () => {
    const cases: Array<[string, string, string | undefined]> = [
      ['POST', '/openai/v1/embeddings', '{"model":"text-embedding-3-small","input":"hi"}'],
      ['POST', '/openai/embeddings', '{"model":"text-embedding-3-small","input":"hi"}'],
      ['POST', '/openai/v1/images/generations', '{"prompt":"a cat"}'],
      ['GET', '/openai/v1/files', undefined],
      ['POST', '/openai/v1/batches', '{}'],
      ['GET', '/openai/v1/chat/completions', undefined],
      ['POST', '/openai/V1/chat/completions', chatBody],
      ['POST', '/openai/v1/Chat/Completions', chatBody],
      ['POST', '/openai/v1/responses/compact/extra', responsesBody],
      ['POST', '/anthropic/v1/complete', '{"prompt":"hi"}'],
      ['POST', '/anthropic/v1/messages/batches', '{}'],
      ['DELETE', '/anthropic/v1/models/claude-sonnet-5-5', undefined],
    ];
    const before = harness.fake.exchanges.length;
    const recordedBefore = await countInterceptions();
    for (const [method, path, body] of cases) {
      const response = await send(method, path, body);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      const error = JSON.parse(response.body) as Record<string, unknown>;
      if (path.startsWith('/anthropic/')) {
        expect(error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      } else {
        expect(error).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
      }
    }
    expect(harness.fake.exchanges.length).toBe(before);
    await harness.server.context.recorder.drain();
    expect(await countInterceptions()).toBe(recordedBefore);
  });

  it('passes the allow-listed paths through with the official SDKs and the central key, unrecorded', async () => {
    const recordedBefore = await countInterceptions();
    const openai = new OpenAI({
      baseURL: `${harness.providerUrl('openai')}/v1`,
      apiKey: harness.member.token,
      maxRetries: 0,
    });
    const models = await openai.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['gpt-4.1']);
    expect(harness.fake.last()).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(harness.fake.last().headers.authorization).toBe(`Bearer ${centralOpenaiKey}`);
    const retrieved = await rawRequest({
      url: harness.server.url,
      method: 'GET',
      path: '/api/v2/aibridge/openai/v1/responses/resp_123/input_items?limit=2',
      token: harness.member.token,
    });
    // The fake has no stored responses: its own 404 comes back, so the request did reach it.
    expect(retrieved.status).toBe(404);
    expect(harness.fake.last()).toMatchObject({ method: 'GET', path: '/v1/responses/resp_123/input_items' });
    const anthropic = new Anthropic({
      baseURL: harness.providerUrl('anthropic'),
      apiKey: harness.member.token,
      maxRetries: 0,
    });
    const counted = await anthropic.messages.countTokens({
      model: 'claude-sonnet-5-5',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(counted.input_tokens).toBe(42);
    expect(harness.fake.last()).toMatchObject({ method: 'POST', path: '/v1/messages/count_tokens' });
    expect(harness.fake.last().headers['x-api-key']).toBe(centralAnthropicKey);
    await harness.server.context.recorder.drain();
    expect(await countInterceptions()).toBe(recordedBefore);
  });

  it('passes a path the instance configuration adds, and only on that instance', async () => {
    const extended = new OpenAI({
      baseURL: `${harness.providerUrl('extended')}/v1`,
      apiKey: harness.member.token,
      maxRetries: 0,
    });
    const embedded = await extended.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hi',
      encoding_format: 'float',
    });
    expect(embedded.data[0]?.embedding).toEqual([0.5, -0.25]);
    expect(harness.fake.last()).toMatchObject({ method: 'POST', path: '/v1/embeddings' });
    const plain = new OpenAI({
      baseURL: `${harness.providerUrl('openai')}/v1`,
      apiKey: harness.member.token,
      maxRetries: 0,
    });
    const refused = await plain.embeddings
      .create({ model: 'text-embedding-3-small', input: 'hi', encoding_format: 'float' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('refuses a body that is not UTF-8 with a 400 in the provider shape, forwarding and recording nothing', async () => {
    const before = harness.fake.exchanges.length;
    const recordedBefore = await countInterceptions();
    const invalid = Buffer.concat([
      Buffer.from('{"model":"gpt-4.1","messages":[{"role":"user","content":"bad '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}]}'),
    ]);
    const openaiAnswer = await send('POST', '/openai/v1/chat/completions', invalid);
    expect(openaiAnswer.status).toBe(400);
    expect(JSON.parse(openaiAnswer.body)).toMatchObject({
      error: {
        type: 'invalid_request_error',
        code: 'invalid_request_body',
        message: expect.stringContaining('UTF-8'),
      },
    });
    const lone = Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]);
    const anthropicAnswer = await send('POST', '/anthropic/v1/messages', lone);
    expect(anthropicAnswer.status).toBe(400);
    expect(JSON.parse(anthropicAnswer.body)).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('UTF-8') },
    });
    expect(harness.fake.exchanges.length).toBe(before);
    await harness.server.context.recorder.drain();
    expect(await countInterceptions()).toBe(recordedBefore);
  });

  it('records a request whose JSON text escapes NUL and unpaired surrogates', async () => {
    const body = JSON.stringify({
      model: 'gpt-4.1\u0000x',
      messages: [{ role: 'user', content: 'a\u0000b \ud800 c' }],
    });
    const response = await send('POST', '/openai/v1/chat/completions', body);
    expect(response.status).toBe(200);
    const id = String(response.headers['x-aibridge-interception-id']);
    const stored = await readEndedInterception(getStore(), id);
    expect(stored.interception?.model).toBe('gpt-4.1\ufffdx');
    expect(stored.userPrompts.map((prompt) => prompt.prompt)).toEqual(['a\ufffdb \ufffd c']);
  });

  it('logs each pass-through call with the user, instance, method and path, and no secret', async () => {
    const fake = await FakeProvider.start();
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) =>
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
    );
    const server = await startTestServer({
      store: getStore(),
      config: {
        logLevel: 'info',
        providers: [{ name: 'logged', type: 'openai', baseUrl: `${fake.url}/v1`, key: centralOpenaiKey }],
      },
      logDestination: destination,
    });
    try {
      const member = await server.createUser(`logged-${Math.random().toString(36).slice(2, 8)}`);
      const answer = await rawRequest({
        url: server.url,
        method: 'GET',
        path: '/api/v2/aibridge/logged/v1/models?secret_hint=1',
        token: member.token,
      });
      expect(answer.status).toBe(200);
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(entries.filter((entry) => entry.msg === 'pass-through request')).toEqual([
        expect.objectContaining({
          level: 30,
          userId: member.id,
          provider: 'logged',
          method: 'GET',
          path: '/v1/models',
        }),
      ]);
      const text = lines.join('\n');
      expect(text).not.toContain(member.token);
      expect(text).not.toContain(centralOpenaiKey);
    } finally {
      await server.close();
      await fake.close();
    }
  });
});
