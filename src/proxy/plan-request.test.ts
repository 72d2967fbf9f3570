import { describe, expect, it } from 'vitest';
import { anthropicProvider } from '../providers/anthropic/index.js';
import { openaiProvider } from '../providers/openai/index.js';
import { RequestPlanner } from './plan-request.js';

const openai = new RequestPlanner({
  adapter: openaiProvider,
  instance: {
    name: 'openai',
    type: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    key: '',
    passThrough: [{ method: 'GET', path: '/v1/files/{file_id}' }],
  },
});
const anthropic = new RequestPlanner({
  adapter: anthropicProvider,
  instance: { name: 'anthropic', type: 'anthropic', baseUrl: 'https://api.anthropic.com', key: '' },
});

describe('RequestPlanner', () => {
  it('intercepts a generation endpoint whether or not the client path carries the version', () => {
    const paths = [
      '/v1/chat/completions',
      '/chat/completions',
      '/v1/responses',
      '/responses',
      '/v1/responses/compact',
      '/responses/compact',
    ];
    for (const path of paths) {
      expect({ path, kind: openai.plan('POST', path).kind }).toEqual({ path, kind: 'intercept' });
    }
    expect(anthropic.plan('POST', '/v1/messages').kind).toBe('intercept');
  });

  it('passes through the type allow-list and the instance additions, by method and path', () => {
    const passed: Array<[RequestPlanner, string, string]> = [
      [openai, 'GET', '/v1/models'],
      [openai, 'GET', '/models/gpt-4.1'],
      [openai, 'GET', '/v1/responses/resp_1'],
      [openai, 'DELETE', '/v1/responses/resp_1'],
      [openai, 'GET', '/v1/responses/resp_1/input_items'],
      [openai, 'POST', '/v1/responses/input_tokens'],
      [openai, 'GET', '/v1/files/file_1'],
      [anthropic, 'POST', '/v1/messages/count_tokens'],
      [anthropic, 'GET', '/v1/models/claude-sonnet-5-5'],
    ];
    for (const [planner, method, path] of passed) {
      expect({ method, path, kind: planner.plan(method, path).kind }).toEqual({
        method,
        path,
        kind: 'pass-through',
      });
    }
  });

  it('refuses everything else, including other methods on generation endpoints', () => {
    const refused: Array<[RequestPlanner, string, string]> = [
      [openai, 'POST', '/v1/embeddings'],
      [openai, 'GET', '/v1/chat/completions'],
      [openai, 'PUT', '/v1/responses'],
      [openai, 'POST', '/v1/models'],
      [openai, 'GET', '/v1/files'],
      [openai, 'GET', '/v1/responses/resp_1/input_items/extra'],
      [openai, 'GET', '/v1/responses/compact/extra'],
      [openai, 'POST', '/v1/responses/compact/extra'],
      [anthropic, 'POST', '/v1/complete'],
      [anthropic, 'POST', '/messages'],
      [anthropic, 'GET', '/v1/files'],
    ];
    for (const [planner, method, path] of refused) {
      expect({ method, path, kind: planner.plan(method, path).kind }).toEqual({
        method,
        path,
        kind: 'not-found',
      });
    }
  });
});
