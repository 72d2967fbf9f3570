import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFixture } from '../fake-provider/fixtures.js';
import { describeEachDatabase } from '../support/databases.js';
import { type ProxyHarness, readEndedInterception, readInterception, startProxyHarness } from './harness.js';

const centralGeminiKey = 'AIzaSy-central-gemini-0123456789';
// Gemini CLI builds its client with `httpOptions.headers: { 'User-Agent': 'GeminiCLI/<version> (<os>; <arch>)' }`.
const geminiCliAgent = 'GeminiCLI/0.9.0 (linux; x64)';

interface ApiInterception {
  id: string;
  provider: string;
  provider_name: string;
  model: string;
  client: string;
  user_prompts: { prompt: string; provider_response_id: string }[];
  token_usages: {
    provider_response_id: string;
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_write_input_tokens: number;
    metadata: Record<string, unknown>;
  }[];
  tool_usages: { tool: string; input: string }[];
}

describeEachDatabase('Gemini through the official @google/genai SDK', (getStore) => {
  let harness: ProxyHarness;
  let client: GoogleGenAI;
  beforeAll(async () => {
    harness = await startProxyHarness(getStore(), {}, (fakeUrl) => [
      { name: 'gemini', type: 'gemini', baseUrl: fakeUrl, key: centralGeminiKey },
    ]);
    client = new GoogleGenAI({
      apiKey: harness.member.token,
      httpOptions: { baseUrl: harness.providerUrl('gemini'), headers: { 'User-Agent': geminiCliAgent } },
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const interception = async (id: string): Promise<ApiInterception> => {
    await readEndedInterception(getStore(), id);
    const response = await harness.server.api(
      `/api/v2/aibridge/interceptions?q=${encodeURIComponent(`initiator:${harness.member.username}`)}&limit=1000`,
    );
    expect(response.status).toBe(200);
    const page = (await response.json()) as { results: ApiInterception[] };
    const found = page.results.find((row) => row.id === id);
    if (found === undefined) throw new Error(`interception ${id} is not listed`);
    return found;
  };
  const idOf = (response: { sdkHttpResponse?: { headers?: Record<string, string> } } | undefined) =>
    response?.sdkHttpResponse?.headers?.['x-aibridge-interception-id'] ?? '';

  it('streams a thought and a function call, then records the tool result turn as its descendant', async () => {
    harness.fake.script({ kind: 'fixture', fixture: 'gemini/stream-thinking-tools.sse', chunkSize: 9 });
    const question = "What's the weather in Paris?";
    const stream = await client.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: [
        {
          role: 'user',
          parts: [{ text: '<session_context>Today is Thursday.</session_context>' }, { text: question }],
        },
      ],
      config: { thinkingConfig: { includeThoughts: true } },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(3);
    expect(chunks.at(-1)?.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    const upstream = harness.fake.last();
    // The SDK speaks the GA version `v1`; Gemini CLI and raw clients use `v1beta` (see below).
    expect(upstream.url).toBe('/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(upstream.headers['x-goog-api-key']).toBe(centralGeminiKey);
    const firstId = idOf(chunks[0]);
    expect(firstId).not.toBe('');

    const first = await interception(firstId);
    expect(first).toMatchObject({
      provider: 'gemini',
      provider_name: 'gemini',
      model: 'gemini-2.5-flash',
      client: 'Gemini CLI',
      user_prompts: [{ prompt: question, provider_response_id: 'gMpFaZmUK9SvnvgP4t7V0Qk' }],
      token_usages: [
        {
          provider_response_id: 'gMpFaZmUK9SvnvgP4t7V0Qk',
          input_tokens: 1210 - 1024,
          output_tokens: 17 + 63,
          cache_read_input_tokens: 1024,
          cache_write_input_tokens: 0,
          metadata: { totalTokenCount: 1290 },
        },
      ],
      tool_usages: [{ tool: 'get_weather', input: '{"city":"Paris"}' }],
    });
    const stored = await readInterception(getStore(), firstId);
    expect(stored.thoughts.map((thought) => thought.content)).toEqual([
      '**Checking the weather**\n\nThe user wants Paris weather; I will call get_weather.',
    ]);
    const callId = stored.toolUsages[0]?.provider_tool_call_id ?? '';
    expect(callId).toMatch(/^gemini-fc-[0-9a-f]{24}$/);

    // The tool result turn: the history echoes the call (Gemini gave it no id), the answer is blocking.
    const callPart = chunks.at(-1)?.candidates?.[0]?.content?.parts?.[0];
    const answer = await client.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: question }] },
        { role: 'model', parts: callPart === undefined ? [] : [callPart] },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 18 } } }],
        },
      ],
    });
    expect(answer.text).toBe('It is 18°C and sunny in Paris.');
    const secondId = idOf(answer);
    const second = await interception(secondId);
    expect(second).toMatchObject({
      user_prompts: [],
      token_usages: [{ provider_response_id: 'blkResp-Paris-02', input_tokens: 276, output_tokens: 12 }],
      tool_usages: [],
    });
    const secondStored = await readInterception(getStore(), secondId);
    expect(secondStored.interception).toMatchObject({
      thread_parent_id: firstId,
      thread_root_id: firstId,
    });
  });

  it('relays the stream byte for byte, framed as Google frames it', async () => {
    const response = await fetch(
      `${harness.providerUrl('gemini')}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': harness.member.token },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      },
    );
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(readFixture('gemini/stream-text.sse'));
    const id = response.headers.get('x-aibridge-interception-id') ?? '';
    expect(await interception(id)).toMatchObject({
      user_prompts: [{ prompt: 'hi', provider_response_id: 'txtStreamResp01' }],
      token_usages: [{ input_tokens: 9, output_tokens: 5 }],
    });
  });

  it('takes the bridge token from ?key= and never sends it upstream', async () => {
    const response = await fetch(
      `${harness.providerUrl('gemini')}/v1beta/models/gemini-2.5-flash:generateContent?key=${harness.member.token}&alt=json`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ parts: [{ text: 'weather?' }] }] }),
      },
    );
    expect(response.status).toBe(200);
    const upstream = harness.fake.last();
    expect(upstream.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent?alt=json');
    expect(upstream.headers['x-goog-api-key']).toBe(centralGeminiKey);
    expect(JSON.stringify(upstream.headers)).not.toContain(harness.member.token);
    const id = response.headers.get('x-aibridge-interception-id') ?? '';
    expect(await interception(id)).toMatchObject({ user_prompts: [{ prompt: 'weather?' }] });
  });

  it('passes countTokens and models.list through unrecorded', async () => {
    const before = harness.fake.exchanges.length;
    const counted = await client.models.countTokens({ model: 'gemini-2.5-flash', contents: 'hello' });
    expect(counted.totalTokens).toBe(42);
    expect(harness.fake.last().url).toBe('/v1/models/gemini-2.5-flash:countTokens');
    const names: string[] = [];
    for await (const model of await client.models.list()) names.push(model.name ?? '');
    expect(names).toEqual(['models/gemini-2.5-flash']);
    expect(
      harness.fake.exchanges.slice(before).map((exchange) => exchange.headers['x-goog-api-key']),
    ).toEqual([centralGeminiKey, centralGeminiKey]);
  });

  it('answers bridge errors in Google error shape, which the SDK raises as ApiError', async () => {
    const stranger = new GoogleGenAI({
      apiKey: 'not-a-bridge-token',
      httpOptions: { baseUrl: harness.providerUrl('gemini') },
    });
    const failure = await stranger.models
      .generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(401);
    const response = await fetch(`${harness.providerUrl('gemini')}/v1beta/cachedContents`, {
      headers: { 'x-goog-api-key': harness.member.token },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  it('ends a broken stream with an error chunk the SDK raises', async () => {
    harness.fake.script({ kind: 'drop', fixture: 'gemini/stream-thinking-tools.sse', afterEvents: 1 });
    const stream = await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' });
    const failure = await (async () => {
      for await (const _chunk of stream) {
        // read until the error
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(502);
  });
});
