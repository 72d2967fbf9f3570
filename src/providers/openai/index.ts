/**
 * The OpenAI provider type: Chat Completions and Responses intercepted, every other path (`/v1/models`,
 * embeddings, files) passed through. Any OpenAI-compatible server works behind it.
 */
import type { ProviderAdapter } from '../provider.js';
import { chatCompletionsEndpoint, chatCompletionsPath } from './chat-completions/index.js';
import { responsesEndpoint, responsesPath } from './responses/index.js';
import { errorBody, readErrorMessage } from './shared/errors.js';

export const openaiProvider: ProviderAdapter = {
  type: 'openai',
  endpoints: new Map([
    [chatCompletionsPath, chatCompletionsEndpoint],
    [responsesPath, responsesEndpoint],
  ]),
  // OpenAI base URLs end in the version (`https://api.openai.com/v1`); client paths carry it too.
  upstreamPath: (path) => (path === '/v1' || path.startsWith('/v1/') ? path.slice(3) : path),
  credentialHeaders: (key) => ({ authorization: `Bearer ${key}` }),
  errorBody,
  readErrorMessage,
};
