import { arrayField, asObject, stringField } from '../json/read-json.js';

/** The prompt and thread lineage of a Messages request. */
export interface MessagesRequestFacts {
  prompt: string | null;
  latestToolResultId: string | null;
}

/**
 * Reads the last message: a user message without tool results is a prompt (a string content, or the text
 * of its last `text` block — Claude Code puts system reminders in earlier blocks); a message carrying
 * `tool_result` blocks answers tool calls, and the last of them names the call for thread lineage.
 */
export function extractPrompt(body: Record<string, unknown>): MessagesRequestFacts {
  const last = asObject(arrayField(body, 'messages').at(-1));
  const none = { prompt: null, latestToolResultId: null };
  if (last === null || stringField(last, 'role') !== 'user') return none;
  const content = last.content;
  if (typeof content === 'string') return { prompt: content, latestToolResultId: null };
  const blocks = arrayField(last, 'content').map(asObject);
  const toolResult = blocks.findLast((block) => stringField(block, 'type') === 'tool_result');
  if (toolResult !== undefined)
    return { prompt: null, latestToolResultId: stringField(toolResult, 'tool_use_id') };
  const text = blocks.findLast(
    (block) => stringField(block, 'type') === 'text' && stringField(block, 'text') !== null,
  );
  return { prompt: stringField(text ?? null, 'text'), latestToolResultId: null };
}
