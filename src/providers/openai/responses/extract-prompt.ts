import { arrayField, asObject, stringField } from '../../json/read-json.js';

/** The prompt and thread lineage of a Responses request. */
export interface ResponsesRequestFacts {
  prompt: string | null;
  latestToolResultId: string | null;
}

/**
 * Reads `input`: a string is the prompt; in a list, the last item decides. A user message is the prompt
 * (its string content or its last `input_text` part); a `*_call_output` item (function, custom tool,
 * local shell…) answers the call named by its `call_id`.
 */
export function extractPrompt(body: Record<string, unknown>): ResponsesRequestFacts {
  if (typeof body.input === 'string') return { prompt: body.input, latestToolResultId: null };
  const last = asObject(arrayField(body, 'input').at(-1));
  const type = stringField(last, 'type') ?? 'message';
  if (type.endsWith('_call_output'))
    return { prompt: null, latestToolResultId: stringField(last, 'call_id') };
  if (type !== 'message' || stringField(last, 'role') !== 'user')
    return { prompt: null, latestToolResultId: null };
  const content = last?.content;
  if (typeof content === 'string') return { prompt: content, latestToolResultId: null };
  const text = arrayField(last, 'content')
    .map(asObject)
    .findLast((part) => stringField(part, 'type') === 'input_text' && stringField(part, 'text') !== null);
  return { prompt: stringField(text ?? null, 'text'), latestToolResultId: null };
}
