/** Guarded JSON parsing for event data and bodies: a result, never an exception. */

/** The outcome of {@link parseJson}. */
export type JsonResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses JSON text; a syntax error becomes `{ ok: false }` with the parser's message. */
export function parseJson(text: string): JsonResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Whether an SSE data payload is the `[DONE]` sentinel that ends OpenAI streams. */
export function isDoneSentinel(data: string): boolean {
  return data === '[DONE]';
}

/** A JSON object as a record, or null for any other value: the lenient entry point of every wire schema. */
export function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** A string field, or null. */
export function stringField(object: Record<string, unknown> | null, key: string): string | null {
  const value = object?.[key];
  return typeof value === 'string' ? value : null;
}

/** A finite number field, or null. */
export function numberField(object: Record<string, unknown> | null, key: string): number | null {
  const value = object?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** An array field, or an empty array. */
export function arrayField(object: Record<string, unknown> | null, key: string): unknown[] {
  const value = object?.[key];
  return Array.isArray(value) ? value : [];
}
