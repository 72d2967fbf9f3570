import { arrayField, asObject, stringField } from '../../json/read-json.js';

/** The prompt and thread lineage of a Chat Completions request. */
export interface ChatRequestFacts {
  prompt: string | null;
  latestToolResultId: string | null;
}

/**
 * Reads the last message: a `user` message is the prompt (its string content, or its last text part); a
 * `tool` message answers the call named by its `tool_call_id`. Parallel results come as consecutive tool
 * messages, so the last one is the latest.
 */
export function extractPrompt(body: Record<string, unknown>): ChatRequestFacts {
  const last = asObject(arrayField(body, 'messages').at(-1));
  switch (stringField(last, 'role')) {
    case 'user': {
      const content = last?.content;
      if (typeof content === 'string') return { prompt: content, latestToolResultId: null };
      const text = arrayField(last, 'content')
        .map(asObject)
        .findLast((part) => stringField(part, 'type') === 'text' && stringField(part, 'text') !== null);
      return { prompt: stringField(text ?? null, 'text'), latestToolResultId: null };
    }
    case 'tool':
      return { prompt: null, latestToolResultId: stringField(last, 'tool_call_id') };
    default:
      return { prompt: null, latestToolResultId: null };
  }
}
