import { describe, expect, it } from 'vitest';
import { decodeFixture, readFixture } from '../../../../test/fake-provider/fixtures.js';
import { decodedEvent } from '../../events/decoded-event.js';
import type { EndpointAdapter } from '../../provider.js';
import { openaiProvider } from '../index.js';

const endpoint = requireEndpoint(
  openaiProvider.endpoints.find((candidate) => candidate.path === '/v1/chat/completions'),
);

const usageChunk = decodedEvent({
  raw: Buffer.alloc(0),
  name: null,
  text: '{"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}',
});

describe('Chat Completions request edits', () => {
  it('asks for stream usage with a minimal edit and remembers that the client had not', () => {
    const text =
      '{"model":"gpt-4.1","stream":true,"logit_bias":{"50256":-100,"1":1.0},"messages":[{"role":"user","content":"hi"}]}';
    const inspection = endpoint.inspect({ path: endpoint.path, body: JSON.parse(text), text: text });
    expect(inspection.editedBody).toBe(
      '{"model":"gpt-4.1","stream":true,"logit_bias":{"50256":-100,"1":1.0},"messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}',
    );
    // The usage chunk the client did not ask for is dropped from its stream.
    expect(inspection.createParser().onEvent(usageChunk)).toBe(false);
    expect(inspection.prompt).toBe('hi');
  });

  it('leaves the body alone when the client asked for usage or does not stream', () => {
    const asked = '{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}';
    const inspection = endpoint.inspect({ path: endpoint.path, body: JSON.parse(asked), text: asked });
    expect(inspection).toMatchObject({ editedBody: null });
    expect(inspection.createParser().onEvent(usageChunk)).toBe(true);
    const blocking = '{"model":"m","messages":[]}';
    expect(
      endpoint.inspect({ path: endpoint.path, body: JSON.parse(blocking), text: blocking }),
    ).toMatchObject({
      editedBody: null,
    });
  });

  it('names the latest tool result of parallel tool messages and records no prompt', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
        { role: 'assistant', tool_calls: [{ id: 'call_Paris' }, { id: 'call_Tokyo' }] },
        { role: 'tool', tool_call_id: 'call_Paris', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_Tokyo', content: 'rain' },
      ],
    };
    expect(endpoint.inspect({ path: endpoint.path, body: body, text: '' })).toMatchObject({
      prompt: null,
      latestToolResultId: 'call_Tokyo',
    });
    expect(
      endpoint.inspect({ path: endpoint.path, body: { messages: body.messages.slice(0, 1) }, text: '' })
        .prompt,
    ).toBe('weather?');
  });

  it('skips trailing system-role messages and leaves out text parts a client injected', () => {
    const messages = [
      { role: 'system', content: 'You are helpful.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: '<session_context>\nThis is the Gemini CLI.\n</session_context>' },
          { type: 'text', text: 'summarise the repo' },
        ],
      },
      { role: 'developer', content: 'answer in English' },
      { role: 'system', content: 'keep it short' },
    ];
    expect(endpoint.inspect({ path: endpoint.path, body: { messages }, text: '' }).prompt).toBe(
      'summarise the repo',
    );
    const toolAnswer = [...messages.slice(0, 2), { role: 'tool', tool_call_id: 'call_1', content: 'x' }];
    expect(
      endpoint.inspect({ path: endpoint.path, body: { messages: [...toolAnswer, messages[3]] }, text: '' }),
    ).toMatchObject({
      prompt: null,
      latestToolResultId: 'call_1',
    });
  });
});

describe('Chat Completions parsing', () => {
  it('assembles parallel streamed tool calls and applies the cached-token rule to usage', () => {
    const parser = endpoint
      .inspect({
        path: endpoint.path,
        body: { stream: true, stream_options: { include_usage: true } },
        text: '',
      })
      .createParser();
    const verdicts = decodeFixture('openai-chat/stream-tools.sse').map((event) => parser.onEvent(event));
    expect(verdicts.every(Boolean)).toBe(true);
    const summary = parser.finish();
    expect(summary.responseId).toBe('chatcmpl-Tools1');
    expect(summary.toolCalls).toEqual([
      { providerToolCallId: 'call_Paris', tool: 'get_weather', input: '{"city": "Paris"}', metadata: {} },
      { providerToolCallId: 'call_Tokyo', tool: 'get_weather', input: '{"city": "Tokyo"}', metadata: {} },
    ]);
    expect(summary.usage).toEqual({
      inputTokens: 176,
      outputTokens: 48,
      cacheReadInputTokens: 1024,
      cacheWriteInputTokens: 0,
      metadata: {
        total_tokens: 1248,
        prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
    });
  });

  it('drops only the usage chunk when the bridge asked for usage on the client behalf', () => {
    const parser = endpoint
      .inspect({ path: endpoint.path, body: { stream: true }, text: '{"stream":true}' })
      .createParser();
    const events = decodeFixture('openai-chat/stream-text.sse');
    const kept = events.filter((event) => parser.onEvent(event));
    expect(events.length - kept.length).toBe(1);
    expect(kept.map((event) => event.text).join('')).not.toContain('"choices":[]');
    expect(parser.finish().usage).toMatchObject({
      inputTokens: 20,
      cacheReadInputTokens: 1280,
      outputTokens: 6,
    });
  });

  it('reads a blocking completion through the same chunk handler', () => {
    const parser = endpoint.inspect({ path: endpoint.path, body: {}, text: '' }).createParser();
    parser.onBody(JSON.parse(readFixture('openai-chat/completion-tools.json').toString()));
    const summary = parser.finish();
    expect(summary.toolCalls.map((call) => [call.providerToolCallId, call.tool, call.input])).toEqual([
      ['call_Read', 'read_file', '{"path":"/src/main.ts"}'],
      ['call_List', 'list_dir', '{"path":"/src"}'],
    ]);
    expect(summary.usage).toMatchObject({ inputTokens: 388, cacheReadInputTokens: 512, outputTokens: 40 });
  });

  it('records reasoning text of compatible servers and an error chunk', () => {
    const parser = endpoint
      .inspect({ path: endpoint.path, body: { stream: true }, text: '{}' })
      .createParser();
    const event = (text: string) => decodedEvent({ raw: Buffer.alloc(0), name: null, text });
    parser.onEvent(event('{"id":"c1","choices":[{"index":0,"delta":{"reasoning_content":"think "}}]}'));
    parser.onEvent(event('{"id":"c1","choices":[{"index":0,"delta":{"reasoning_content":"hard"}}]}'));
    parser.onEvent(event('{"error":{"message":"The server had an error","type":"server_error"}}'));
    parser.onEvent(event('not json'));
    const summary = parser.finish();
    expect(summary.thoughts).toEqual([{ content: 'think hard', metadata: {} }]);
    expect(summary.error).toBe('The server had an error');
    expect(summary.problems).toHaveLength(1);
  });

  it('frames a mid-stream failure as an OpenAI error chunk', () => {
    const bytes = endpoint.streamErrorEvent({
      status: 502,
      message: 'upstream went away',
      code: 'upstream_stream_failed',
    });
    expect(bytes.toString()).toBe(
      'data: {"error":{"message":"upstream went away","type":"server_error","code":"upstream_stream_failed"}}\n\n',
    );
  });
});

describe('OpenAI provider', () => {
  it('maps client paths onto a base URL that ends in the version', () => {
    expect(openaiProvider.upstreamPath('/v1/models')).toBe('/models');
    expect(openaiProvider.upstreamPath('/v1/chat/completions')).toBe('/chat/completions');
    expect(openaiProvider.upstreamPath('/v1beta/x')).toBe('/v1beta/x');
  });

  it('shapes its own errors like OpenAI and reads upstream error messages', () => {
    expect(
      JSON.parse(
        openaiProvider.errorBody({ status: 404, message: 'Unknown provider', code: 'unknown_provider' }),
      ),
    ).toEqual({
      error: { message: 'Unknown provider', type: 'invalid_request_error', code: 'unknown_provider' },
    });
    expect(
      openaiProvider.readErrorMessage('{"error":{"message":"Rate limit reached","type":"requests"}}'),
    ).toBe('Rate limit reached');
    const request = { method: 'POST', path: '/chat/completions', headers: {}, body: null };
    expect(openaiProvider.authorize(request, 'sk-1').headers).toEqual({ authorization: 'Bearer sk-1' });
  });
});

function requireEndpoint(endpoint: EndpointAdapter | undefined): EndpointAdapter {
  if (endpoint === undefined) throw new Error('endpoint not registered');
  return endpoint;
}

describe('Chat Completions stream completion', () => {
  const feed = (clientAsked: boolean, count: number) => {
    const body = clientAsked ? { stream: true, stream_options: { include_usage: true } } : { stream: true };
    const parser = endpoint
      .inspect({ path: endpoint.path, body: body, text: JSON.stringify(body) })
      .createParser();
    for (const event of decodeFixture('openai-chat/stream-tools.sse').slice(0, count)) parser.onEvent(event);
    return parser.isComplete();
  };
  const events = decodeFixture('openai-chat/stream-tools.sse');
  const finishAt = events.findIndex((event) => event.text.includes('"finish_reason":"tool_calls"'));

  it('is complete after the finish_reason chunk when the client did not ask for usage', () => {
    expect(feed(false, finishAt)).toBe(false);
    expect(feed(false, finishAt + 1)).toBe(true);
  });

  it('waits for the usage chunk when the client asked for usage, and [DONE] always completes', () => {
    expect(feed(true, finishAt + 1)).toBe(false);
    expect(feed(true, finishAt + 2)).toBe(true);
    const parser = endpoint
      .inspect({ path: endpoint.path, body: { stream: true }, text: '{}' })
      .createParser();
    parser.onEvent(decodedEvent({ raw: Buffer.alloc(0), name: null, text: '[DONE]' }));
    expect(parser.isComplete()).toBe(true);
  });
});
