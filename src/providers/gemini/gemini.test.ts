import { describe, expect, it } from 'vitest';
import { decodeFixture, readFixture } from '../../../test/fake-provider/fixtures.js';
import { decodedEvent } from '../events/decoded-event.js';
import { compilePathPattern } from '../match-path.js';
import type { EndpointAdapter } from '../provider.js';
import { geminiProvider } from './index.js';

const [endpoint] = geminiProvider.endpoints as [EndpointAdapter];
const streamPath = '/v1beta/models/gemini-2.5-flash:streamGenerateContent';
const inspect = (body: Record<string, unknown>, path = streamPath) =>
  endpoint.inspect({ path, body, text: JSON.stringify(body) });

describe('Gemini generateContent parsing', () => {
  it('joins a thought split over chunks, records the function call and the final usage', () => {
    const parser = inspect({ contents: [] }).createParser();
    const events = decodeFixture('gemini/stream-thinking-tools.sse');
    expect(events.map((event) => parser.onEvent(event))).toEqual([true, true, true]);
    expect(parser.isComplete()).toBe(true);
    const summary = parser.finish();
    expect(summary.responseId).toBe('gMpFaZmUK9SvnvgP4t7V0Qk');
    expect(summary.usage).toEqual({
      inputTokens: 186,
      outputTokens: 80,
      cacheReadInputTokens: 1024,
      cacheWriteInputTokens: 0,
      metadata: {
        totalTokenCount: 1290,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 1210 }],
        cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 1024 }],
      },
    });
    expect(summary.thoughts).toEqual([
      {
        content: '**Checking the weather**\n\nThe user wants Paris weather; I will call get_weather.',
        metadata: {},
      },
    ]);
    expect(summary.toolCalls).toEqual([
      {
        providerToolCallId: expect.stringMatching(/^gemini-fc-[0-9a-f]{24}$/),
        tool: 'get_weather',
        input: '{"city":"Paris"}',
        metadata: { derived_id: true },
      },
    ]);
    expect(summary.problems).toEqual([]);
  });

  it('is not complete before the finish reason, and reads a blocking body or a JSON array stream alike', () => {
    const events = decodeFixture('gemini/stream-text.sse');
    const parser = inspect({}).createParser();
    parser.onEvent(events[0] as (typeof events)[number]);
    expect(parser.isComplete()).toBe(false);
    const blocking = inspect({}).createParser();
    blocking.onBody(JSON.parse(readFixture('gemini/generate-content-text.json').toString()));
    expect(blocking.finish()).toMatchObject({
      responseId: 'blkResp-Paris-02',
      usage: { inputTokens: 276, outputTokens: 12, cacheReadInputTokens: 1024 },
    });
    const array = inspect({}).createParser();
    array.onBody(events.map((event) => event.data));
    expect(array.finish()).toMatchObject({ responseId: 'txtStreamResp01', usage: { outputTokens: 5 } });
  });

  it('keeps a call id Gemini gave, and records an error chunk and unreadable chunks', () => {
    const parser = inspect({}).createParser();
    const event = (text: string) => decodedEvent({ raw: Buffer.from(text), name: null, text });
    parser.onEvent(
      event('{"candidates":[{"content":{"parts":[{"functionCall":{"id":"fc-1","name":"ls","args":{}}}]}}]}'),
    );
    parser.onEvent(event('not json'));
    parser.onEvent(event('{"error":{"code":500,"message":"Internal error","status":"INTERNAL"}}'));
    expect(parser.isComplete()).toBe(true);
    const summary = parser.finish();
    expect(summary.toolCalls).toEqual([
      { providerToolCallId: 'fc-1', tool: 'ls', input: '{}', metadata: {} },
    ]);
    expect(summary.error).toBe('Internal error');
    expect(summary.problems).toHaveLength(1);
  });
});

describe('Gemini generateContent requests', () => {
  it('reads the model from the path and the prompt from the last user turn, without injected context', () => {
    const inspection = inspect(
      {
        contents: [
          { role: 'user', parts: [{ text: 'first' }] },
          { role: 'model', parts: [{ text: 'ok' }] },
          {
            role: 'user',
            parts: [
              { text: '<session_context>\nToday is Thursday.\n</session_context>' },
              { text: 'fix it' },
            ],
          },
        ],
      },
      '/v1beta/models/gemini-2.5-pro:generateContent',
    );
    expect(inspection).toMatchObject({
      model: 'gemini-2.5-pro',
      prompt: 'fix it',
      latestToolResultId: null,
      editedBody: null,
    });
  });

  it('names the answered call: by its id, or derived from the call echoed in the model turn', () => {
    const call = { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sig' };
    const parser = inspect({}).createParser();
    parser.onBody({ candidates: [{ content: { role: 'model', parts: [call] }, finishReason: 'STOP' }] });
    const madeId = parser.finish().toolCalls[0]?.providerToolCallId;
    const contents = [
      { role: 'user', parts: [{ text: 'weather?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'other', args: {} } }, call] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { t: 18 } } }] },
    ];
    expect(inspect({ contents })).toMatchObject({ prompt: null, latestToolResultId: madeId });
    const withId = [{ role: 'user', parts: [{ functionResponse: { id: 'fc-9', name: 'x', response: {} } }] }];
    expect(inspect({ contents: withId }).latestToolResultId).toBe('fc-9');
  });

  it('matches its endpoints by method in the path, and passes models and countTokens through', () => {
    const intercepted = geminiProvider.endpoints.map((entry) => compilePathPattern(entry.path));
    const matches = (path: string) => intercepted.some((match) => match(path));
    expect(matches('/v1beta/models/gemini-2.5-flash:generateContent')).toBe(true);
    expect(matches('/v1beta/models/gemini-2.5-flash:streamGenerateContent')).toBe(true);
    expect(matches('/v1beta/models/gemini-2.5-flash:countTokens')).toBe(false);
    expect(geminiProvider.passThrough).toContainEqual({
      method: 'POST',
      path: '/v1beta/models/{model}:countTokens',
    });
  });

  it('answers errors in Google shape and authorizes with x-goog-api-key', () => {
    expect(
      JSON.parse(geminiProvider.errorBody({ status: 401, message: 'no', code: 'invalid_api_key' })),
    ).toEqual({ error: { code: 401, message: 'no', status: 'UNAUTHENTICATED' } });
    expect(endpoint.streamErrorEvent({ status: 502, message: 'gone', code: 'x' }).toString()).toBe(
      'data: {"error":{"code":502,"message":"gone","status":"UNAVAILABLE"}}\r\n\r\n',
    );
    expect(geminiProvider.readErrorMessage('[{"error":{"code":400,"message":"bad"}}]')).toBe('bad');
    const request = { method: 'POST', path: '/v1beta/models/m:generateContent', headers: {}, body: null };
    expect(geminiProvider.authorize(request, 'AIza-1').headers).toEqual({ 'x-goog-api-key': 'AIza-1' });
  });
});
