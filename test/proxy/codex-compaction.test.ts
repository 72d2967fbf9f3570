/**
 * Remote compaction (`POST /v1/responses/compact`): Codex sends its whole history there when it compacts
 * (`/compact`, or automatically near the context limit) and the model bills tokens for the summary, so it
 * is intercepted and recorded like a response.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { type ProxyHarness, readInterception, startProxyHarness } from './harness.js';

const codexSession = '019ac1f0-7d2e-7a41-9b3c-5e6f7a8b9c0d';
// What Codex 0.17x sends with the request (its `x-codex-beta-features` names remote compaction).
const codexHeaders = {
  'user-agent': 'codex_cli_rs/0.171.0 (Ubuntu 24.4.0; x86_64) xterm-256color',
  originator: 'codex_cli_rs',
  'session-id': codexSession,
  'x-codex-beta-features': 'remote_compaction_v2',
};

// Codex's compaction body: model, the history, the instructions, its tools and reasoning settings.
function compactionBody(input: OpenAI.Responses.ResponseInputItem[]) {
  return {
    model: 'gpt-5.1-codex',
    input,
    instructions: 'You are Codex, a coding agent.',
    tools: [
      {
        type: 'function',
        name: 'shell',
        description: 'Runs a shell command.',
        strict: false,
        parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } },
      },
    ],
    parallel_tool_calls: true,
    reasoning: { effort: 'medium', summary: 'auto' },
    prompt_cache_key: codexSession,
  } as OpenAI.Responses.ResponseCompactParams;
}

describeEachDatabase('Codex remote compaction', (getStore) => {
  let harness: ProxyHarness;
  let codex: OpenAI;
  beforeAll(async () => {
    harness = await startProxyHarness(getStore());
    codex = new OpenAI({
      baseURL: `${harness.providerUrl('openai')}/v1`,
      apiKey: harness.member.token,
      defaultHeaders: codexHeaders,
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const drain = () => harness.server.context.recorder.drain();
  const idOf = (response: Response) => response.headers.get('x-aibridge-interception-id') ?? '';

  it('records a compaction of a tool-using turn with its usage, in that turn’s thread, with no prompt', async () => {
    harness.fake.script({ kind: 'fixture', fixture: 'openai-responses/stream-reasoning-tools.sse' });
    const turn = await codex.responses
      .create({ model: 'gpt-5.1-codex', stream: true, input: 'what is in this repo?' })
      .withResponse();
    for await (const _event of turn.data) {
      // read the stream to its end
    }

    const params = compactionBody([
      { role: 'user', content: [{ type: 'input_text', text: 'what is in this repo?' }] },
      { type: 'function_call', call_id: 'call_ls', name: 'shell', arguments: '{"command":["ls"]}' },
      { type: 'function_call_output', call_id: 'call_ls', output: 'README.md\nsrc' },
      {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'A README and a src folder.', annotations: [] }],
      } as unknown as OpenAI.Responses.ResponseInputItem,
    ]);
    const compacted = await codex.responses.compact(params).withResponse();
    expect(compacted.data).toMatchObject({ id: 'resp_04Compact', object: 'response.compaction' });
    expect(compacted.data.output.map((item) => item.type)).toEqual(['message', 'message', 'compaction']);
    // Forwarded as sent, to the compaction endpoint, with the central key.
    const exchange = harness.fake.last();
    expect(exchange.path).toBe('/v1/responses/compact');
    expect(exchange.body.toString()).toBe(JSON.stringify(params));
    expect(exchange.headers['x-codex-beta-features']).toBe('remote_compaction_v2');

    await drain();
    const turnId = idOf(turn.response);
    const stored = await readInterception(getStore(), idOf(compacted.response));
    expect(stored.interception).toMatchObject({
      provider: 'openai',
      model: 'gpt-5.1-codex',
      client: 'Codex',
      client_session_id: codexSession,
      thread_parent_id: turnId,
      thread_root_id: turnId,
      upstream_status: 200,
      error: null,
    });
    expect(stored.interception?.metadata).toMatchObject({ compaction: true });
    expect(stored.userPrompts).toEqual([]);
    expect(stored.tokenUsages).toMatchObject([
      {
        provider_response_id: 'resp_04Compact',
        input_tokens: 48213 - 40960,
        cache_read_input_tokens: 40960,
        cache_write_input_tokens: 0,
        output_tokens: 1873,
        metadata: { output_tokens_details: { reasoning_tokens: 1024 }, total_tokens: 50086 },
      },
    ]);
    // The retained user messages and the opaque compaction item are no tool calls or thoughts.
    expect(stored.toolUsages).toEqual([]);
    expect(stored.thoughts).toEqual([]);
  });

  it('records the user prompt a compaction ends with, by the Responses rules', async () => {
    const compacted = await codex.responses
      .compact(
        compactionBody([
          {
            role: 'user',
            content: [
              {
                type: 'input_text',
                text: '<environment_context>\n  <cwd>/repo</cwd>\n</environment_context>',
              },
              { type: 'input_text', text: 'now add a test for the parser' },
            ],
          },
        ]),
      )
      .withResponse();
    await drain();
    const stored = await readInterception(getStore(), idOf(compacted.response));
    expect(stored.userPrompts.map((prompt) => prompt.prompt)).toEqual(['now add a test for the parser']);
    expect(stored.interception).toMatchObject({ thread_parent_id: null, client_session_id: codexSession });
    expect(stored.interception?.metadata).toMatchObject({ compaction: true });
  });

  it('relays a compaction the provider refused in its own shape and records the failure', async () => {
    harness.fake.script({
      kind: 'status',
      status: 400,
      body: '{"error":{"message":"Unsupported model for compaction.","type":"invalid_request_error","param":"model","code":null}}',
    });
    const failure = await codex.responses
      .compact(compactionBody([{ role: 'user', content: 'summarise' }]))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).message).toMatch(/Unsupported model/);
    const id = (failure as InstanceType<typeof OpenAI.APIError>).headers?.get('x-aibridge-interception-id');
    await drain();
    const stored = await readInterception(getStore(), id ?? '');
    expect(stored.interception).toMatchObject({
      upstream_status: 400,
      error: 'Unsupported model for compaction.',
    });
    expect(stored.interception?.metadata).toMatchObject({ compaction: true });
  });
});
