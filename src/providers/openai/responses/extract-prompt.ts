import { arrayField, asObject, stringField } from '../../json/read-json.js';
import { lastTurn, userText } from '../../prompt/read-user-prompt.js';
import { isSystemRole } from '../shared/system-roles.js';

/** The prompt and thread lineage of a Responses request. */
export interface ResponsesRequestFacts {
  prompt: string | null;
  latestToolResultId: string | null;
}

/**
 * Reads `input`: a string is the prompt; in a list, the last item that does not merely set the turn up (a
 * system-role message, a settings change) decides. A user message is the prompt (its string content, or
 * its `input_text` parts without the ones a client injected, such as Codex's `<environment_context>`); a
 * `*_call_output` item (function, custom tool, local shell…) answers the call named by its `call_id`.
 */
export function extractPrompt(body: Record<string, unknown>): ResponsesRequestFacts {
  if (typeof body.input === 'string') return { prompt: userText([body.input]), latestToolResultId: null };
  const items = arrayField(body, 'input').map(asObject);
  const last = lastTurn(items, setsUpTurn);
  const type = itemType(last);
  if (type.endsWith('_call_output'))
    return { prompt: null, latestToolResultId: stringField(last, 'call_id') };
  if (type !== 'message' || stringField(last, 'role') !== 'user')
    return { prompt: null, latestToolResultId: null };
  const content = last?.content;
  if (typeof content === 'string') return { prompt: userText([content]), latestToolResultId: null };
  const texts = arrayField(last, 'content').flatMap((entry) => {
    const part = asObject(entry);
    return stringField(part, 'type') === 'input_text' ? (stringField(part, 'text') ?? []) : [];
  });
  return { prompt: userText(texts), latestToolResultId: null };
}

/**
 * Items that set the turn up rather than take part in it: system-role messages, and settings changes
 * (Codex 0.171 appends a `configuration_update` item with the reasoning effort after the user's message).
 */
function setsUpTurn(item: Record<string, unknown> | null): boolean {
  const type = itemType(item);
  return type === 'configuration_update' || (type === 'message' && isSystemRole(stringField(item, 'role')));
}

/** An input item's type; a message may leave it out. */
function itemType(item: Record<string, unknown> | null): string {
  return stringField(item, 'type') ?? 'message';
}

/**
 * Reads a compaction request's `input` by the same rules, with one addition for its thread: the history
 * being compacted continues the conversation it summarises, so where the last turn is neither the user's
 * prompt nor a tool result (Codex compacts after the assistant's last answer), the latest tool result
 * anywhere in the history names the thread it belongs to. Without that, every compaction would count as a
 * new thread with no prompt.
 */
export function extractCompactionPrompt(body: Record<string, unknown>): ResponsesRequestFacts {
  const facts = extractPrompt(body);
  if (facts.prompt !== null || facts.latestToolResultId !== null) return facts;
  const items = arrayField(body, 'input').map(asObject);
  for (let index = items.length - 1; index >= 0; index -= 1) {
    const item = items[index] ?? null;
    if (!itemType(item).endsWith('_call_output')) continue;
    const callId = stringField(item, 'call_id');
    if (callId !== null) return { prompt: null, latestToolResultId: callId };
  }
  return facts;
}
