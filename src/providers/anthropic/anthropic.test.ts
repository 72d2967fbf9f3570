import { describe, expect, it } from 'vitest';
import { decodeFixture, readAgentRequest, readFixture } from '../../../test/fake-provider/fixtures.js';
import { sseFraming } from '../events/sse-framing.js';
import type { EndpointAdapter } from '../provider.js';
import { anthropicProvider } from './index.js';

const endpoint = requireEndpoint(
  anthropicProvider.endpoints.find((candidate) => candidate.path === '/v1/messages'),
);

function parseStream(fixture: string) {
  const parser = endpoint
    .inspect({ path: endpoint.path, body: { model: 'claude', stream: true, messages: [] }, text: '{}' })
    .createParser();
  for (const event of decodeFixture(fixture)) expect(parser.onEvent(event)).toBe(true);
  return parser.finish();
}

describe('Anthropic Messages parsing', () => {
  it('records the final cumulative output count, the cache counters and the rest of usage as metadata', () => {
    const summary = parseStream('anthropic/stream-thinking-tools.sse');
    expect(summary.responseId).toBe('msg_01ThinkTools');
    expect(summary.usage).toEqual({
      inputTokens: 12,
      outputTokens: 187,
      cacheReadInputTokens: 15000,
      cacheWriteInputTokens: 2048,
      metadata: {
        cache_creation: { ephemeral_5m_input_tokens: 2048, ephemeral_1h_input_tokens: 0 },
        service_tier: 'standard',
      },
    });
  });

  it('keeps the input counts of message_start when message_delta reports only output tokens', () => {
    const summary = parseStream('anthropic/stream-text.sse');
    expect(summary.usage).toMatchObject({ inputTokens: 25, outputTokens: 9, cacheReadInputTokens: 0 });
    expect(summary.toolCalls).toEqual([]);
  });

  it('assembles parallel tool calls from input_json_delta fragments and records thinking without signature', () => {
    const summary = parseStream('anthropic/stream-thinking-tools.sse');
    expect(summary.toolCalls).toEqual([
      { providerToolCallId: 'toolu_01Paris', tool: 'get_weather', input: '{"city": "Paris"}', metadata: {} },
      { providerToolCallId: 'toolu_02Tokyo', tool: 'get_weather', input: '{"city": "Tokyo"}', metadata: {} },
    ]);
    expect(summary.thoughts).toEqual([
      { content: 'The user wants the weather in two cities. I can look both up in parallel.', metadata: {} },
    ]);
    expect(summary.problems).toEqual([]);
  });

  it('reads a blocking message through the same block handlers', () => {
    const parser = endpoint
      .inspect({ path: endpoint.path, body: { model: 'claude', messages: [] }, text: '{}' })
      .createParser();
    parser.onBody(JSON.parse(readFixture('anthropic/message-thinking-tools.json').toString()));
    const summary = parser.finish();
    expect(summary.responseId).toBe('msg_04Blocking');
    expect(summary.usage).toMatchObject({
      inputTokens: 40,
      outputTokens: 52,
      cacheReadInputTokens: 5000,
      cacheWriteInputTokens: 100,
    });
    expect(summary.toolCalls).toEqual([
      {
        providerToolCallId: 'toolu_03Read',
        tool: 'Read',
        input: '{"file_path":"/src/main.ts"}',
        metadata: {},
      },
    ]);
    expect(summary.thoughts.map((thought) => thought.content)).toEqual(['I should read the file first.']);
  });

  it('records an error event mid-stream and notes the block it interrupted', () => {
    const summary = parseStream('anthropic/stream-overloaded.sse');
    expect(summary.error).toBe('Overloaded');
    expect(summary.problems).toEqual(['stream ended inside text block 0']);
  });

  it('notes an unreadable event as a problem and keeps going', () => {
    const parser = endpoint
      .inspect({ path: endpoint.path, body: { model: 'claude', messages: [] }, text: '{}' })
      .createParser();
    const decoder = sseFraming.createDecoder();
    const events = decoder.push(
      Buffer.from(
        'event: message_start\ndata: {oops\n\nevent: message_delta\ndata: {"usage":{"output_tokens":4}}\n\n',
      ),
    );
    for (const event of events) if (!Buffer.isBuffer(event)) parser.onEvent(event);
    expect(parser.finish().problems).toHaveLength(1);
    expect(parser.finish().usage?.outputTokens).toBe(4);
  });
});

describe('Anthropic Messages requests', () => {
  const inspect = (messages: unknown[]) =>
    endpoint.inspect({ path: endpoint.path, body: { model: 'claude-x', stream: true, messages }, text: '' });

  it('takes the prompt from the last text block of the last user message', () => {
    const inspection = inspect([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>x</system-reminder>' },
          { type: 'text', text: 'fix the bug' },
        ],
      },
    ]);
    expect(inspection).toMatchObject({
      model: 'claude-x',
      prompt: 'fix the bug',
      latestToolResultId: null,
    });
    expect(inspection.editedBody).toBeNull();
  });

  it('records no prompt for tool results and names the latest result for thread lineage', () => {
    const inspection = inspect([
      { role: 'user', content: 'weather?' },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01Paris', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_02Tokyo', content: 'rain' },
          { type: 'text', text: 'also check London' },
        ],
      },
    ]);
    expect(inspection).toMatchObject({ prompt: null, latestToolResultId: 'toolu_02Tokyo' });
  });

  it.each([
    ['claude-code-1-prompt.json', 'Run echo hello in the shell', null],
    ['claude-code-2-tool-result.json', null, 'toolu_cap_1'],
    ['claude-code-3-second-prompt.json', 'Now run echo bye', null],
  ])('reads Claude Code 2.1.332 request %s as prompt %j, tool result %j', (name, prompt, toolResult) => {
    const { body } = readAgentRequest(name);
    expect(endpoint.inspect({ path: endpoint.path, body: body, text: '' })).toMatchObject({
      prompt,
      latestToolResultId: toolResult,
    });
  });

  it('skips trailing system messages and joins the user text blocks a client did not inject', () => {
    const inspection = inspect([
      {
        role: 'user',
        content: [
          {
            type: 'text',
            text: '<system-reminder>a</system-reminder>\n<system-reminder>b</system-reminder>',
          },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: '' } },
          { type: 'text', text: 'look at this' },
          { type: 'text', text: 'and fix it' },
        ],
      },
      { role: 'system', content: '# Environment' },
      { role: 'system', content: [{ type: 'text', text: 'more' }] },
    ]);
    expect(inspection.prompt).toBe('look at this\nand fix it');
    expect(inspect([{ role: 'user', content: '<system-reminder>x</system-reminder>' }]).prompt).toBeNull();
    expect(inspect([{ role: 'system', content: 'only system' }]).prompt).toBeNull();
  });

  it('records no prompt when the last message is the assistant prefill', () => {
    expect(
      inspect([
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '{' },
      ]).prompt,
    ).toBeNull();
  });

  it('shapes errors and mid-stream error events like Anthropic', () => {
    const error = { status: 401, message: 'API token is invalid.', code: 'invalid_api_key' };
    expect(JSON.parse(anthropicProvider.errorBody(error))).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'API token is invalid.' },
    });
    expect(endpoint.streamErrorEvent({ ...error, status: 502 }).toString()).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"API token is invalid."}}\n\n',
    );
    expect(anthropicProvider.readErrorMessage('{"type":"error","error":{"type":"x","message":"m"}}')).toBe(
      'm',
    );
    expect(anthropicProvider.readErrorMessage('<html>')).toBeNull();
  });

  it('sends the central key as x-api-key and keeps the path', () => {
    const request = { method: 'POST', path: '/v1/messages', headers: {}, body: null };
    expect(anthropicProvider.authorize(request, 'sk-ant-1').headers).toEqual({ 'x-api-key': 'sk-ant-1' });
    expect(anthropicProvider.upstreamPath('/v1/messages/count_tokens')).toBe('/v1/messages/count_tokens');
  });
});

function requireEndpoint(endpoint: EndpointAdapter | undefined): EndpointAdapter {
  if (endpoint === undefined) throw new Error('endpoint not registered');
  return endpoint;
}

describe('Anthropic stream completion', () => {
  it('is complete from message_stop on, or once an error event ended the stream', () => {
    const events = decodeFixture('anthropic/stream-text.sse');
    const parser = endpoint
      .inspect({ path: endpoint.path, body: { stream: true, messages: [] }, text: '' })
      .createParser();
    const completeAt = events.findIndex((event) => {
      parser.onEvent(event);
      return parser.isComplete();
    });
    expect(events[completeAt]?.name).toBe('message_stop');
    expect(completeAt).toBe(events.length - 1);
    const failed = endpoint
      .inspect({ path: endpoint.path, body: { stream: true, messages: [] }, text: '' })
      .createParser();
    const overloaded = decodeFixture('anthropic/stream-overloaded.sse');
    for (const event of overloaded.slice(0, -1)) failed.onEvent(event);
    expect(overloaded.at(-1)?.name).toBe('error');
    expect(failed.isComplete()).toBe(false);
    for (const event of overloaded.slice(-1)) failed.onEvent(event);
    expect(failed.isComplete()).toBe(true);
  });

  it('is complete once a blocking body was read', () => {
    const parser = endpoint.inspect({ path: endpoint.path, body: { messages: [] }, text: '' }).createParser();
    expect(parser.isComplete()).toBe(false);
    parser.onBody(JSON.parse(readFixture('anthropic/message-thinking-tools.json').toString()));
    expect(parser.isComplete()).toBe(true);
  });
});
