/** Anthropic Messages API: `POST /v1/messages` intercepted; models and token counting passed through. */
import { stringField } from '../json/read-json.js';
import type { EndpointAdapter, ProviderAdapter } from '../provider.js';
import { errorBody, readErrorMessage, streamErrorEvent } from './errors.js';
import { extractPrompt } from './extract-prompt.js';
import { messagesPath } from './messages-api.js';
import { MessagesResponseParser } from './parse-stream.js';

const messagesEndpoint: EndpointAdapter = {
  inspect(body) {
    return {
      model: stringField(body, 'model') ?? '',
      stream: body.stream === true,
      ...extractPrompt(body),
      // Anthropic always reports usage: the request goes upstream as received.
      editedBody: null,
      mayDropEvents: false,
      createParser: () => new MessagesResponseParser(),
    };
  },
  streamErrorEvent,
};

/** The Anthropic provider type. Base URLs carry no version (`https://api.anthropic.com`). */
export const anthropicProvider: ProviderAdapter = {
  type: 'anthropic',
  endpoints: new Map([[messagesPath, messagesEndpoint]]),
  passThrough: [
    { method: 'GET', path: '/v1/models' },
    { method: 'GET', path: '/v1/models/{model_id}' },
    { method: 'POST', path: '/v1/messages/count_tokens' },
  ],
  upstreamPath: (path) => path,
  credentialHeaders: (key) => ({ 'x-api-key': key }),
  errorBody,
  readErrorMessage,
};
