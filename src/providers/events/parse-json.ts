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
