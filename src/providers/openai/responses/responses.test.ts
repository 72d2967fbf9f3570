import { describe, expect, it } from 'vitest';
import { decodeFixture, readAgentRequest, readFixture } from '../../../../test/fake-provider/fixtures.js';
import { decodedEvent } from '../../events/decoded-event.js';
import type { EndpointAdapter } from '../../provider.js';
import { openaiProvider } from '../index.js';

const endpoint = requireEndpoint(
  openaiProvider.endpoints.find((candidate) => candidate.path === '/v1/responses'),
);

describe('Responses requests', () => {
  it('takes a string input or the last user message as the prompt', () => {
    expect(
      endpoint.inspect({
        path: endpoint.path,
        body: { model: 'gpt-5', input: 'list files', stream: true },
        text: '',
      }),
    ).toMatchObject({
      model: 'gpt-5',
      prompt: 'list files',
      editedBody: null,
    });
    const input = [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context/>' }] },
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'a' },
          { type: 'input_image' },
          { type: 'input_text', text: 'b' },
        ],
      },
    ];
    expect(endpoint.inspect({ path: endpoint.path, body: { input }, text: '' }).prompt).toBe('a\nb');
  });

  it.each([
    ['codex-1-prompt.json', 'Run echo hello in the shell', null],
    ['codex-2-tool-output.json', null, 'call_resp_cap_1'],
    ['codex-3-second-prompt.json', 'Now run echo bye', null],
    ['codex-default-model-1-prompt.json', 'Run echo hello in the shell', null],
    ['codex-default-model-2-second-prompt.json', 'Now run echo bye', null],
  ])('reads Codex 0.171 request %s as prompt %j, tool result %j', (name, prompt, toolResult) => {
    const { body } = readAgentRequest(name);
    expect(endpoint.inspect({ path: endpoint.path, body: body, text: '' })).toMatchObject({
      prompt,
      latestToolResultId: toolResult,
    });
  });

  it('skips trailing developer and system messages and leaves out injected context parts', () => {
    const input = [
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: '<environment_context>\n  <cwd>/w</cwd>\n</environment_context>' },
          { type: 'input_text', text: 'rename the function' },
        ],
      },
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'be brief' }] },
      { role: 'system', content: 'more rules' },
    ];
    expect(endpoint.inspect({ path: endpoint.path, body: { input }, text: '' }).prompt).toBe(
      'rename the function',
    );
    const onlyContext = [input[0], { role: 'user', content: '<environment_context></environment_context>' }];
    expect(
      endpoint.inspect({ path: endpoint.path, body: { input: onlyContext }, text: '' }).prompt,
    ).toBeNull();
  });

  it('names the latest tool output for thread lineage', () => {
    const input = [
      { type: 'function_call', call_id: 'call_ls', name: 'shell', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_ls', output: 'a' },
      { type: 'custom_tool_call_output', call_id: 'call_patch', output: 'ok' },
    ];
    expect(endpoint.inspect({ path: endpoint.path, body: { input }, text: '' })).toMatchObject({
      prompt: null,
      latestToolResultId: 'call_patch',
    });
  });
});

describe('Responses parsing', () => {
  it('records reasoning summaries, parallel function calls and usage with the cached-token rule', () => {
    const parser = endpoint.inspect({ path: endpoint.path, body: { stream: true }, text: '' }).createParser();
    for (const event of decodeFixture('openai-responses/stream-reasoning-tools.sse', 13))
      parser.onEvent(event);
    const summary = parser.finish();
    expect(summary.responseId).toBe('resp_01Tools');
    expect(summary.thoughts).toEqual([
      {
        content: '**Inspecting the repository**\n\nI will list the files and read the README.',
        metadata: { kind: 'summary' },
      },
    ]);
    expect(summary.toolCalls).toEqual([
      { providerToolCallId: 'call_ls', tool: 'shell', input: '{"command":["ls","-la"]}', metadata: {} },
      {
        providerToolCallId: 'call_cat',
        tool: 'shell',
        input: '{"command":["cat","README.md"]}',
        metadata: {},
      },
    ]);
    expect(summary.usage).toEqual({
      inputTokens: 904,
      outputTokens: 320,
      cacheReadInputTokens: 4096,
      cacheWriteInputTokens: 0,
      metadata: {
        input_tokens_details: { cached_tokens: 4096 },
        output_tokens_details: { reasoning_tokens: 256 },
        total_tokens: 5320,
      },
    });
  });

  it('reads a blocking response through the same item handler, custom tools included', () => {
    const parser = endpoint.inspect({ path: endpoint.path, body: {}, text: '' }).createParser();
    parser.onBody(JSON.parse(readFixture('openai-responses/response-reasoning-tools.json').toString()));
    const summary = parser.finish();
    expect(summary.toolCalls).toEqual([
      {
        providerToolCallId: 'call_patch',
        tool: 'apply_patch',
        input: '*** Begin Patch\n*** End Patch',
        metadata: { type: 'custom_tool_call' },
      },
      { providerToolCallId: 'call_list', tool: 'list_dir', input: '{"path":"."}', metadata: {} },
    ]);
    expect(summary.thoughts.map((thought) => thought.content)).toEqual(['Need the file list first.']);
    expect(summary.usage).toMatchObject({ inputTokens: 800, outputTokens: 90 });
  });

  it('records a failed response and an error event', () => {
    const parser = endpoint.inspect({ path: endpoint.path, body: { stream: true }, text: '' }).createParser();
    const event = (name: string, data: unknown) =>
      decodedEvent({ raw: Buffer.alloc(0), name, text: JSON.stringify(data) });
    parser.onEvent(
      event('response.failed', {
        type: 'response.failed',
        response: { id: 'r1', error: { code: 'server_error', message: 'boom' } },
      }),
    );
    expect(parser.finish()).toMatchObject({ responseId: 'r1', error: 'boom' });
    parser.onEvent(event('error', { type: 'error', code: 'ERR', message: 'later', param: null }));
    expect(parser.finish().error).toBe('later');
  });

  it('frames a mid-stream failure as a Responses error event', () => {
    const bytes = endpoint.streamErrorEvent({ status: 502, message: 'gone', code: 'upstream_stream_failed' });
    expect(bytes.toString()).toBe(
      'event: error\ndata: {"type":"error","code":"upstream_stream_failed","message":"gone","param":null}\n\n',
    );
  });
});

function requireEndpoint(endpoint: EndpointAdapter | undefined): EndpointAdapter {
  if (endpoint === undefined) throw new Error('endpoint not registered');
  return endpoint;
}

describe('Responses stream completion', () => {
  it.each(['response.completed', 'response.incomplete', 'response.failed', 'error'])(
    'is complete from the %s event on',
    (terminal) => {
      const events = decodeFixture('openai-responses/stream-reasoning-tools.sse');
      const parser = endpoint
        .inspect({ path: endpoint.path, body: { stream: true }, text: '' })
        .createParser();
      for (const event of events.slice(0, -1)) parser.onEvent(event);
      expect(parser.isComplete()).toBe(false);
      parser.onEvent(
        decodedEvent({
          raw: Buffer.alloc(0),
          name: terminal,
          text: JSON.stringify({ type: terminal, response: { id: 'resp_x', status: 'x' }, message: 'm' }),
        }),
      );
      expect(parser.isComplete()).toBe(true);
    },
  );
});
