import { parseJson } from '../events/parse-json.js';
import { asObject, stringField } from '../json/read-json.js';
import type { BridgeErrorInfo } from '../provider.js';
import { encodeSseEvent } from '../sse/encode-sse.js';

/** Anthropic's error types by status (https://docs.anthropic.com/en/api/errors). */
function errorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return 'api_error';
  }
}

/** `{"type":"error","error":{"type","message"}}`, the shape Anthropic SDKs turn into typed errors. */
export function errorBody(error: BridgeErrorInfo): string {
  return JSON.stringify({ type: 'error', error: { type: errorType(error.status), message: error.message } });
}

/** The `event: error` Anthropic sends when a stream fails after it started. */
export function streamErrorEvent(error: BridgeErrorInfo): Buffer {
  return encodeSseEvent({ event: 'error', data: errorBody(error) });
}

/** The message of an Anthropic error body or error event data. */
export function readErrorMessage(text: string): string | null {
  const parsed = parseJson(text);
  if (!parsed.ok) return null;
  return stringField(asObject(asObject(parsed.value)?.error ?? null), 'message');
}
