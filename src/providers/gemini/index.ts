/**
 * Google Gemini API: `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent` (SSE with
 * `?alt=sse`) intercepted; model listing and token counting passed through. Clients send the key in
 * `x-goog-api-key` (the official SDKs, Gemini CLI) or in a `key` query parameter.
 */
import { authorizeWithHeader } from '../credentials.js';
import { sseFraming } from '../events/sse-framing.js';
import type { EndpointAdapter, ProviderAdapter } from '../provider.js';
import { errorBody, readErrorMessage, streamErrorEvent } from './errors.js';
import { extractPrompt } from './extract-prompt.js';
import { generateContentPaths, modelOfPath } from './generate-content-api.js';
import { GenerateContentResponseParser } from './parse-response.js';

function generateContentEndpoint(path: string): EndpointAdapter {
  return {
    path,
    editsRequestBody: false,
    inspect: ({ path: requestPath, body }) => ({
      model: modelOfPath(requestPath),
      ...extractPrompt(body),
      // Gemini always reports usage: the request goes upstream as received.
      editedBody: null,
      createParser: () => new GenerateContentResponseParser(),
    }),
    streamErrorEvent,
  };
}

/** The Gemini provider type. Base URLs carry no version (`https://generativelanguage.googleapis.com`). */
export const geminiProvider: ProviderAdapter = {
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  endpoints: generateContentPaths.map(generateContentEndpoint),
  passThrough: [
    { method: 'GET', path: '/v1beta/models' },
    { method: 'GET', path: '/v1beta/models/{model}' },
    { method: 'POST', path: '/v1beta/models/{model}:countTokens' },
    { method: 'GET', path: '/v1/models' },
    { method: 'GET', path: '/v1/models/{model}' },
    { method: 'POST', path: '/v1/models/{model}:countTokens' },
  ],
  upstreamPath: (path) => path,
  credentials: [
    { in: 'header', name: 'x-goog-api-key' },
    { in: 'query', name: 'key' },
  ],
  authorize: authorizeWithHeader({ in: 'header', name: 'x-goog-api-key' }),
  framing: sseFraming,
  errorBody,
  readErrorMessage,
};
