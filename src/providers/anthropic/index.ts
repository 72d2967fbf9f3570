/** Anthropic Messages API: `POST /v1/messages` intercepted; models and token counting passed through. */
import { authorizeWithHeader } from '../credentials.js';
import { sseFraming } from '../events/sse-framing.js';
import { stringField } from '../json/read-json.js';
import type { EndpointAdapter, ProviderAdapter } from '../provider.js';
import { errorBody, readErrorMessage, streamErrorEvent } from './errors.js';
import { extractPrompt } from './extract-prompt.js';
import { messagesPath } from './messages-api.js';
import { MessagesResponseParser } from './parse-response.js';

const messagesEndpoint: EndpointAdapter = {
  path: messagesPath,
  editsRequestBody: false,
  inspect({ body }) {
    return {
      model: stringField(body, 'model') ?? '',
      ...extractPrompt(body),
      // Anthropic always reports usage: the request goes upstream as received.
      editedBody: null,
      createParser: () => new MessagesResponseParser(),
    };
  },
  streamErrorEvent,
};

/** The Anthropic provider type. Base URLs carry no version (`https://api.anthropic.com`). */
export const anthropicProvider: ProviderAdapter = {
  defaultBaseUrl: 'https://api.anthropic.com',
  endpoints: [messagesEndpoint],
  passThrough: [
    { method: 'GET', path: '/v1/models' },
    { method: 'GET', path: '/v1/models/{model_id}' },
    { method: 'POST', path: '/v1/messages/count_tokens' },
  ],
  upstreamPath: (path) => path,
  // Anthropic SDKs send `x-api-key`; `Authorization: Bearer` is read too (OAuth and gateway setups).
  credentials: [
    { in: 'header', name: 'authorization', scheme: 'Bearer' },
    { in: 'header', name: 'x-api-key' },
  ],
  authorize: authorizeWithHeader({ in: 'header', name: 'x-api-key' }),
  framing: sseFraming,
  errorBody,
  readErrorMessage,
};
