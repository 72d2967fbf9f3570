import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureEvents } from '../fake-provider/fixtures.js';
import { describeEachDatabase } from '../support/databases.js';
import { centralOpenaiKey, type ProxyHarness, readInterception, startProxyHarness } from './harness.js';

const codexSession = '0199b0d2-51aa-7c3e-8f00-0a1b2c3d4e5f';
const codexHeaders = {
  'user-agent': 'codex_cli_rs/0.46.0 (Mac OS 15.0.0; arm64) ghostty/1.2.0',
  originator: 'codex_cli_rs',
  session_id: codexSession,
};

describeEachDatabase('Codex and OpenAI SDK traffic', (getStore) => {
  let harness: ProxyHarness;
  let codex: OpenAI;
  let sdk: OpenAI;
  beforeAll(async () => {
    harness = await startProxyHarness(getStore());
    const baseURL = `${harness.providerUrl('openai')}/v1`;
    codex = new OpenAI({ baseURL, apiKey: harness.member.token, defaultHeaders: codexHeaders });
    sdk = new OpenAI({ baseURL, apiKey: harness.member.token });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const drain = () => harness.server.context.recorder.drain();
  const idOf = (response: Response) => response.headers.get('x-aibridge-interception-id') ?? '';

  it('records a Codex Responses turn with reasoning and parallel calls, and the tool-output turn as its child', async () => {
    harness.fake.script({
      kind: 'fixture',
      fixture: 'openai-responses/stream-reasoning-tools.sse',
      chunkSize: 11,
    });
    const first = await codex.responses
      .create({
        model: 'gpt-5-codex',
        stream: true,
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'what is in this repo?' }] }],
      })
      .withResponse();
    const types: string[] = [];
    for await (const event of first.data) types.push(event.type);
    expect(types.at(-1)).toBe('response.completed');

    const second = await codex.responses
      .create({
        model: 'gpt-5-codex',
        input: [
          { type: 'function_call', call_id: 'call_ls', name: 'shell', arguments: '{"command":["ls","-la"]}' },
          {
            type: 'function_call',
            call_id: 'call_cat',
            name: 'shell',
            arguments: '{"command":["cat","README.md"]}',
          },
          { type: 'function_call_output', call_id: 'call_ls', output: 'README.md' },
          { type: 'function_call_output', call_id: 'call_cat', output: '# Demo' },
        ],
      })
      .withResponse();
    expect(second.data.output.map((item) => item.type)).toEqual([
      'reasoning',
      'custom_tool_call',
      'function_call',
    ]);
    await drain();

    const one = await readInterception(getStore(), idOf(first.response));
    expect(one.interception).toMatchObject({
      provider: 'openai',
      provider_name: 'openai',
      model: 'gpt-5-codex',
      client: 'Codex',
      client_session_id: codexSession,
      session_key: codexSession,
      thread_parent_id: null,
      credential_kind: 'centralized',
      credential_hint: `${centralOpenaiKey.slice(0, 4)}...${centralOpenaiKey.slice(-4)}`,
      upstream_status: 200,
      error: null,
    });
    expect(one.userPrompts.map((prompt) => prompt.prompt)).toEqual(['what is in this repo?']);
    expect(one.tokenUsages).toMatchObject([
      {
        provider_response_id: 'resp_01Tools',
        input_tokens: 904,
        cache_read_input_tokens: 4096,
        output_tokens: 320,
        cache_write_input_tokens: 0,
        metadata: { output_tokens_details: { reasoning_tokens: 256 } },
      },
    ]);
    expect(one.toolUsages.map((tool) => [tool.provider_tool_call_id, tool.tool, tool.input])).toEqual([
      ['call_ls', 'shell', '{"command":["ls","-la"]}'],
      ['call_cat', 'shell', '{"command":["cat","README.md"]}'],
    ]);
    expect(one.thoughts.map((thought) => thought.content)).toEqual([
      '**Inspecting the repository**\n\nI will list the files and read the README.',
    ]);

    const two = await readInterception(getStore(), idOf(second.response));
    const firstId = idOf(first.response);
    expect(two.interception).toMatchObject({
      thread_parent_id: firstId,
      thread_root_id: firstId,
      client_session_id: codexSession,
    });
    expect(two.userPrompts).toEqual([]);
    expect(two.toolUsages.map((tool) => [tool.provider_tool_call_id, tool.tool])).toEqual([
      ['call_patch', 'apply_patch'],
      ['call_list', 'list_dir'],
    ]);
    expect(two.tokenUsages).toMatchObject([{ input_tokens: 800, output_tokens: 90 }]);
  });

  it('delivers a Responses stream byte for byte, event framing included', async () => {
    harness.fake.script({
      kind: 'fixture',
      fixture: 'openai-responses/stream-reasoning-tools.sse',
      chunkSize: 7,
    });
    const params = { model: 'gpt-5-codex', stream: true as const, store: false, input: 'list the files' };
    const response = await codex.responses.create(params).asResponse();
    const received = Buffer.from(await response.arrayBuffer());
    const exchange = harness.fake.last();
    await exchange.done;
    expect(received.equals(exchange.sent)).toBe(true);
    expect(exchange.body.toString()).toBe(JSON.stringify(params));
    expect(exchange.headers.session_id).toBe(codexSession);
  });

  it('ends a Responses stream broken off mid-way with an error event and records the failure', async () => {
    harness.fake.script({
      kind: 'drop',
      fixture: 'openai-responses/stream-reasoning-tools.sse',
      afterEvents: 13,
    });
    const { data: stream, response } = await codex.responses
      .create({ model: 'gpt-5-codex', stream: true, input: 'list the files' })
      .withResponse();
    const events: { type: string }[] = [];
    // openai 7 raises the stream's `error` event as an APIError carrying the event's message.
    const failure = await (async () => {
      for await (const event of stream) events.push(event as { type: string });
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(failure).toMatchObject({ code: 'upstream_stream_failed' });
    expect((failure as InstanceType<typeof OpenAI.APIError>).message).toMatch(/upstream response failed/);
    expect(events.map((event) => event.type)).toContain('response.output_item.done');
    await drain();
    const stored = await readInterception(getStore(), idOf(response));
    expect(stored.interception?.error).toMatch(/^upstream response failed/);
    // The reasoning item and the first call completed before the break and are recorded.
    expect(stored.toolUsages.map((tool) => tool.provider_tool_call_id)).toEqual(['call_ls']);
    expect(stored.thoughts).toHaveLength(1);
  });

  it('asks for stream usage on the client behalf, records it and hides the extra chunk', async () => {
    harness.fake.script({ kind: 'fixture', fixture: 'openai-chat/stream-tools.sse' });
    const params = {
      model: 'gpt-4.1',
      stream: true as const,
      temperature: 1.0,
      messages: [{ role: 'user' as const, content: 'weather in Paris and Tokyo?' }],
    };
    const response = await sdk.chat.completions.create(params).asResponse();
    const received = Buffer.from(await response.arrayBuffer());
    const exchange = harness.fake.last();
    await exchange.done;
    // The upstream got the client's bytes with one member appended, and sent the usage chunk.
    expect(exchange.body.toString()).toBe(
      `${JSON.stringify(params).slice(0, -1)},"stream_options":{"include_usage":true}}`,
    );
    const events = fixtureEvents('openai-chat/stream-tools.sse');
    expect(exchange.sent.equals(Buffer.concat(events))).toBe(true);
    // The client got every byte except that chunk.
    const withoutUsage = events.filter((event) => !event.toString().includes('"choices":[]'));
    expect(withoutUsage).toHaveLength(events.length - 1);
    expect(received.equals(Buffer.concat(withoutUsage))).toBe(true);
    await drain();
    const stored = await readInterception(getStore(), idOf(response));
    expect(stored.interception).toMatchObject({
      client: 'Unknown',
      client_session_id: null,
      model: 'gpt-4.1',
    });
    expect(stored.tokenUsages).toMatchObject([
      { input_tokens: 176, cache_read_input_tokens: 1024, output_tokens: 48 },
    ]);
    expect(stored.toolUsages.map((tool) => tool.provider_tool_call_id)).toEqual(['call_Paris', 'call_Tokyo']);
  });

  it('forwards body and stream untouched when the client asked for usage itself', async () => {
    harness.fake.script({ kind: 'fixture', fixture: 'openai-chat/stream-text.sse', chunkSize: 4 });
    const stream = await sdk.chat.completions
      .create({
        model: 'gpt-4.1',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'hi' }],
      })
      .asResponse();
    const received = Buffer.from(await stream.arrayBuffer());
    const exchange = harness.fake.last();
    await exchange.done;
    expect(received.equals(exchange.sent)).toBe(true);
    expect(JSON.parse(exchange.body.toString())).toMatchObject({ stream_options: { include_usage: true } });

    harness.fake.script({ kind: 'fixture', fixture: 'openai-chat/stream-text.sse' });
    const chunks = await sdk.chat.completions.create({
      model: 'gpt-4.1',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    let usage: unknown = null;
    for await (const chunk of chunks) usage = chunk.usage ?? usage;
    expect(usage).toMatchObject({ prompt_tokens: 1300 });
  });

  it('records a blocking completion with parallel tool calls and links the tool answers to it', async () => {
    const first = await sdk.chat.completions
      .create({
        model: 'gpt-4.1',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'read main.ts and list src' }] }],
      })
      .withResponse();
    expect(first.data.choices[0]?.message.tool_calls).toHaveLength(2);
    const second = await sdk.chat.completions
      .create({
        model: 'gpt-4.1',
        messages: [
          { role: 'user', content: 'read main.ts and list src' },
          { role: 'assistant', content: null, tool_calls: first.data.choices[0]?.message.tool_calls ?? [] },
          { role: 'tool', tool_call_id: 'call_Read', content: 'export {}' },
          { role: 'tool', tool_call_id: 'call_List', content: 'main.ts' },
        ],
      })
      .withResponse();
    await drain();
    const one = await readInterception(getStore(), idOf(first.response));
    expect(one.userPrompts.map((prompt) => prompt.prompt)).toEqual(['read main.ts and list src']);
    expect(one.tokenUsages).toMatchObject([
      {
        provider_response_id: 'chatcmpl-Blocking3',
        input_tokens: 388,
        cache_read_input_tokens: 512,
        output_tokens: 40,
      },
    ]);
    expect(one.toolUsages.map((tool) => [tool.provider_tool_call_id, tool.tool, tool.input])).toEqual([
      ['call_Read', 'read_file', '{"path":"/src/main.ts"}'],
      ['call_List', 'list_dir', '{"path":"/src"}'],
    ]);
    const two = await readInterception(getStore(), idOf(second.response));
    expect(two.interception).toMatchObject({
      thread_parent_id: idOf(first.response),
      thread_root_id: idOf(first.response),
    });
  });

  it('serves every configured instance under its own name and records that name', async () => {
    const azure = new OpenAI({
      baseURL: `${harness.providerUrl('azure-eu')}/v1`,
      apiKey: harness.member.token,
    });
    const result = await azure.chat.completions
      .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const models = await azure.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['gpt-4.1']);
    expect(harness.fake.last().headers.authorization).toBe(`Bearer ${centralOpenaiKey}`);
    await drain();
    const stored = await readInterception(getStore(), idOf(result.response));
    expect(stored.interception).toMatchObject({ provider: 'openai', provider_name: 'azure-eu' });
  });
});
