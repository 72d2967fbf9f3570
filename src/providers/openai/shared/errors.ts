import { parseJson } from '../../events/parse-json.js';
import { asObject, stringField } from '../../json/read-json.js';
import type { BridgeErrorInfo } from '../../provider.js';

/** OpenAI's error types by status (https://platform.openai.com/docs/guides/error-codes). */
function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The `error` object OpenAI puts in error bodies and error chunks. */
export function errorObject(error: BridgeErrorInfo): { message: string; type: string; code: string } {
  return { message: error.message, type: errorType(error.status), code: error.code };
}

/** `{"error":{"message","type","code"}}`, the shape OpenAI SDKs turn into typed errors. */
export function errorBody(error: BridgeErrorInfo): string {
  return JSON.stringify({ error: errorObject(error) });
}

/** The message of an OpenAI error body (`{"error":{"message"}}`) or a Responses `error` event. */
export function readErrorMessage(text: string): string | null {
  const parsed = parseJson(text);
  if (!parsed.ok) return null;
  const object = asObject(parsed.value);
  return stringField(asObject(object?.error ?? null), 'message') ?? stringField(object, 'message');
}
