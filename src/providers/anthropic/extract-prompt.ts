import { arrayField, asObject, stringField } from '../json/read-json.js';
import { lastTurn, userText } from '../prompt/read-user-prompt.js';

/** The prompt and thread lineage of a Messages request. */
export interface MessagesRequestFacts {
  prompt: string | null;
  latestToolResultId: string | null;
}

/**
 * Reads the last message that is not a `system` one (Claude Code appends its environment description as a
 * `system` message after the user's): a user message without tool results is a prompt (a string content,
 * or its `text` blocks without the ones holding only `<system-reminder>`s); a message carrying
 * `tool_result` blocks answers tool calls, and the last of them names the call for thread lineage.
 */
export function extractPrompt(body: Record<string, unknown>): MessagesRequestFacts {
  const messages = arrayField(body, 'messages').map(asObject);
  const last = lastTurn(messages, (message) => stringField(message, 'role') === 'system');
  const none = { prompt: null, latestToolResultId: null };
  if (last === null || stringField(last, 'role') !== 'user') return none;
  const content = last.content;
  if (typeof content === 'string') return { prompt: userText([content]), latestToolResultId: null };
  const blocks = arrayField(last, 'content').map(asObject);
  const toolResult = blocks.findLast((block) => stringField(block, 'type') === 'tool_result');
  if (toolResult !== undefined)
    return { prompt: null, latestToolResultId: stringField(toolResult, 'tool_use_id') };
  const texts = blocks.flatMap((block) =>
    stringField(block, 'type') === 'text' ? (stringField(block, 'text') ?? []) : [],
  );
  return { prompt: userText(texts), latestToolResultId: null };
}
