/** OpenAI Responses: `POST /v1/responses`, streaming and blocking (the API Codex speaks). */
import { stringField } from '../../json/read-json.js';
import type { EndpointAdapter } from '../../provider.js';
import { encodeSseEvent } from '../../sse/encode-sse.js';
import { errorObject } from '../shared/errors.js';
import { extractPrompt } from './extract-prompt.js';
import { ResponsesResponseParser } from './parse-response.js';
import { responsesPath } from './responses-api.js';

/** The Responses endpoint of any OpenAI-compatible instance. */
export const responsesEndpoint: EndpointAdapter = {
  path: responsesPath,
  inspect({ body }) {
    return {
      model: stringField(body, 'model') ?? '',
      ...extractPrompt(body),
      // Responses always report usage in the final event: nothing to edit.
      editedBody: null,
      createParser: () => new ResponsesResponseParser(),
    };
  },
  // A failure after the stream started: the API's `error` event (type, code, message, param).
  streamErrorEvent: (error) => {
    const { code, message } = errorObject(error);
    return encodeSseEvent({
      event: 'error',
      data: JSON.stringify({ type: 'error', code, message, param: null }),
    });
  },
};
