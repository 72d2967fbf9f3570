/** OpenAI Chat Completions: `POST /v1/chat/completions`, streaming and blocking. */
import { stringField } from '../../json/read-json.js';
import type { EndpointAdapter } from '../../provider.js';
import { encodeSseEvent } from '../../sse/encode-sse.js';
import { errorObject } from '../shared/errors.js';
import { chatCompletionsPath } from './chat-completions-api.js';
import { editRequest } from './edit-request.js';
import { extractPrompt } from './extract-prompt.js';
import { ChatCompletionsResponseParser } from './parse-response.js';

/** The Chat Completions endpoint of any OpenAI-compatible instance. */
export const chatCompletionsEndpoint: EndpointAdapter = {
  path: chatCompletionsPath,
  // A stream without `stream_options.include_usage` gets it set; whether is known only from the parsed body.
  editsRequestBody: true,
  inspect({ body, text }) {
    const { editedBody, clientWantsUsage } = editRequest(body, text);
    return {
      model: stringField(body, 'model') ?? '',
      ...extractPrompt(body),
      editedBody,
      createParser: () => new ChatCompletionsResponseParser({ dropUsageChunk: !clientWantsUsage }),
    };
  },
  // A failure after the stream started: an `error` chunk, which OpenAI SDKs raise as an APIError.
  streamErrorEvent: (error) => encodeSseEvent({ data: JSON.stringify({ error: errorObject(error) }) }),
};
