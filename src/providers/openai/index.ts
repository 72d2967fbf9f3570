/**
 * The OpenAI provider type: Chat Completions, Responses and Responses compaction intercepted; models and
 * the Responses reads that generate nothing passed through. Any OpenAI-compatible server works behind it.
 */
import { authorizeWithHeader } from '../credentials.js';
import { sseFraming } from '../events/sse-framing.js';
import type { ProviderAdapter } from '../provider.js';
import { chatCompletionsEndpoint } from './chat-completions/index.js';
import { compactEndpoint, responsesEndpoint } from './responses/index.js';
import { errorBody, readErrorMessage } from './shared/errors.js';

export const openaiProvider: ProviderAdapter = {
  defaultBaseUrl: 'https://api.openai.com/v1',
  endpoints: [chatCompletionsEndpoint, responsesEndpoint, compactEndpoint],
  // OpenAI base URLs end in the version (`https://api.openai.com/v1`); client paths carry it too.
  passThrough: [
    { method: 'GET', path: '/v1/models' },
    { method: 'GET', path: '/v1/models/{model}' },
    { method: 'GET', path: '/v1/responses/{response_id}' },
    { method: 'DELETE', path: '/v1/responses/{response_id}' },
    { method: 'GET', path: '/v1/responses/{response_id}/input_items' },
    // Background responses: cancelling stops generation, it starts none.
    { method: 'POST', path: '/v1/responses/{response_id}/cancel' },
    // `client.responses.inputTokens.count()` in the official SDKs: counts, generates nothing.
    { method: 'POST', path: '/v1/responses/input_tokens' },
  ],
  upstreamPath: (path) => (path === '/v1' || path.startsWith('/v1/') ? path.slice(3) : path),
  // OpenAI SDKs send `Authorization: Bearer`; clients built for Anthropic's shape may use `x-api-key`.
  credentials: [
    { in: 'header', name: 'authorization', scheme: 'Bearer' },
    { in: 'header', name: 'x-api-key' },
  ],
  authorize: authorizeWithHeader({ in: 'header', name: 'authorization', scheme: 'Bearer' }),
  framing: sseFraming,
  errorBody,
  readErrorMessage,
};
