/** OpenAI Responses: `POST /v1/responses`, streaming and blocking (the API Codex speaks), and its compaction. */
import { stringField } from '../../json/read-json.js';
import type { BridgeErrorInfo, EndpointAdapter } from '../../provider.js';
import { encodeSseEvent } from '../../sse/encode-sse.js';
import { errorObject } from '../shared/errors.js';
import { extractCompactionPrompt, extractPrompt } from './extract-prompt.js';
import { ResponsesResponseParser } from './parse-response.js';
import { compactPath, responsesPath } from './responses-api.js';

// A failure after the stream started: the API's `error` event (type, code, message, param).
function streamErrorEvent(error: BridgeErrorInfo): Buffer {
  const { code, message } = errorObject(error);
  return encodeSseEvent({
    event: 'error',
    data: JSON.stringify({ type: 'error', code, message, param: null }),
  });
}

/** The Responses endpoint of any OpenAI-compatible instance. */
export const responsesEndpoint: EndpointAdapter = {
  path: responsesPath,
  editsRequestBody: false,
  inspect({ body }) {
    return {
      model: stringField(body, 'model') ?? '',
      ...extractPrompt(body),
      // Responses always report usage in the final event: nothing to edit.
      editedBody: null,
      createParser: () => new ResponsesResponseParser(),
    };
  },
  streamErrorEvent,
};

/**
 * Remote compaction, `POST /v1/responses/compact`: a generation (the model summarises the history and
 * bills tokens), recorded like a blocking response and marked `metadata.compaction`. Its answer has a
 * response's `id`, `output` and `usage`, so the Responses parser reads it.
 */
export const compactEndpoint: EndpointAdapter = {
  path: compactPath,
  editsRequestBody: false,
  inspect({ body }) {
    return {
      model: stringField(body, 'model') ?? '',
      ...extractCompactionPrompt(body),
      editedBody: null,
      metadata: { compaction: true },
      createParser: () => new ResponsesResponseParser(),
    };
  },
  // The endpoint does not stream; a stream error never happens, but the shape is the API's all the same.
  streamErrorEvent,
};
