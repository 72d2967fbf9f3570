import { arrayField, asObject, stringField } from '../json/read-json.js';
import { lastTurn, userText } from '../prompt/read-user-prompt.js';
import { functionCallId } from './extract-tool-calls.js';

/** The prompt and thread lineage of a generateContent request. */
export interface GenerateContentRequestFacts {
  prompt: string | null;
  latestToolResultId: string | null;
}

type Content = Record<string, unknown> | null;

function partsOf(content: Content): Record<string, unknown>[] {
  return arrayField(content, 'parts').flatMap((part): Record<string, unknown>[] => {
    const object = asObject(part);
    return object === null ? [] : [object];
  });
}

/**
 * Reads `contents`: the last turn decides. A user turn holding `functionResponse` parts answers tool calls
 * (no prompt; the latest response names the call, by its `id` or else by the matching `functionCall` of
 * the model turn before it); otherwise its text parts, without thoughts and without the context a
 * client injected (Gemini CLI's `<session_context>`), are the prompt. The system instruction is a field
 * of its own, so no turn is skipped as a system message.
 */
export function extractPrompt(body: Record<string, unknown>): GenerateContentRequestFacts {
  const contents = arrayField(body, 'contents').map(asObject);
  const last = lastTurn(contents, () => false);
  // A turn without a role is the user's.
  if (last === null || (stringField(last, 'role') ?? 'user') !== 'user') {
    return { prompt: null, latestToolResultId: null };
  }
  const parts = partsOf(last);
  const responses = parts.filter((part) => asObject(part.functionResponse) !== null);
  if (responses.length > 0) {
    const previous = contents.at(contents.length - 2) ?? null;
    return { prompt: null, latestToolResultId: answeredCallId(responses, previous) };
  }
  const texts = parts.flatMap((part) => (part.thought === true ? [] : (stringField(part, 'text') ?? [])));
  return { prompt: userText(texts), latestToolResultId: null };
}

/**
 * The call the last `functionResponse` answers. Without an `id`, responses pair with the model turn's
 * calls of the same name in order (Gemini answers parallel calls in the order they were made).
 */
function answeredCallId(responses: Record<string, unknown>[], modelTurn: Content): string | null {
  const latest = asObject((responses.at(-1) as Record<string, unknown>).functionResponse);
  const given = stringField(latest, 'id');
  if (given !== null && given !== '') return given;
  const name = stringField(latest, 'name');
  const sameName = (part: Record<string, unknown>) =>
    stringField(asObject(part.functionResponse), 'name') === name;
  const position = responses.filter(sameName).length - 1;
  const calls = partsOf(modelTurn).filter(
    (part) => stringField(asObject(part.functionCall), 'name') === name,
  );
  const call = calls[position];
  return call === undefined ? null : (functionCallId(call)?.id ?? null);
}
