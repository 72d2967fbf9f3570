import { arrayField, asObject, stringField } from '../../json/read-json.js';
import { lastTurn, userText } from '../../prompt/read-user-prompt.js';
import { isSystemRole } from '../shared/system-roles.js';

/** The prompt and thread lineage of a Chat Completions request. */
export interface ChatRequestFacts {
  prompt: string | null;
  latestToolResultId: string | null;
}

/**
 * Reads the last message that is not a system-role one: a `user` message is the prompt (its string
 * content, or its text parts without the ones a client injected); a `tool` message answers the call named
 * by its `tool_call_id`. Parallel results come as consecutive tool messages, so the last one is the latest.
 */
export function extractPrompt(body: Record<string, unknown>): ChatRequestFacts {
  const messages = arrayField(body, 'messages').map(asObject);
  const last = lastTurn(messages, (message) => isSystemRole(stringField(message, 'role')));
  switch (stringField(last, 'role')) {
    case 'user': {
      const content = last?.content;
      if (typeof content === 'string') return { prompt: userText([content]), latestToolResultId: null };
      const texts = arrayField(last, 'content').flatMap((entry) => {
        const part = asObject(entry);
        return stringField(part, 'type') === 'text' ? (stringField(part, 'text') ?? []) : [];
      });
      return { prompt: userText(texts), latestToolResultId: null };
    }
    case 'tool':
      return { prompt: null, latestToolResultId: stringField(last, 'tool_call_id') };
    default:
      return { prompt: null, latestToolResultId: null };
  }
}
