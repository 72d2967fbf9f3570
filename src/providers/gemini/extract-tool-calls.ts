import { createHash } from 'node:crypto';
import { asObject, stringField } from '../json/read-json.js';
import type { ToolCallSummary } from '../provider.js';

/**
 * The id of a `functionCall` part. Gemini gives one only sometimes; without it the id is derived from
 * the call itself (name, arguments and the opaque `thoughtSignature` that makes it unique), so the same
 * call read back from the next request's history gets the same id and thread lineage holds.
 */
export function functionCallId(part: Record<string, unknown>): { id: string; derived: boolean } | null {
  const call = asObject(part.functionCall);
  const name = stringField(call, 'name');
  if (call === null || name === null) return null;
  const given = stringField(call, 'id');
  if (given !== null && given !== '') return { id: given, derived: false };
  const signature = stringField(part, 'thoughtSignature');
  const digest = createHash('sha256')
    .update(JSON.stringify([name, call.args ?? {}, signature]))
    .digest('hex');
  return { id: `gemini-fc-${digest.slice(0, 24)}`, derived: true };
}

/** A `functionCall` part → a tool call; null for any other part. */
export function toolCallOf(part: Record<string, unknown>): ToolCallSummary | null {
  const call = asObject(part.functionCall);
  const id = functionCallId(part);
  const name = stringField(call, 'name');
  if (call === null || id === null || name === null) return null;
  return {
    providerToolCallId: id.id,
    tool: name,
    input: JSON.stringify(call.args ?? {}),
    metadata: id.derived ? { derived_id: true } : {},
  };
}
