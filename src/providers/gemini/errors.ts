import { parseJson } from '../events/parse-json.js';
import { asObject, stringField } from '../json/read-json.js';
import type { BridgeErrorInfo } from '../provider.js';

/** Google's canonical status names by HTTP status (https://ai.google.dev/gemini-api/docs/troubleshooting). */
function statusName(status: number): string {
  switch (status) {
    case 400:
    case 413:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 502:
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return 'INTERNAL';
  }
}

/** `{"error":{"code","message","status"}}`, the shape Google's SDKs turn into an ApiError. */
export function errorBody(error: BridgeErrorInfo): string {
  return JSON.stringify({
    error: { code: error.status, message: error.message, status: statusName(error.status) },
  });
}

/**
 * A failure after the stream started: one more event holding the error object, framed as Google frames
 * its events (`\r\n` line ends); the SDKs raise an error chunk as an ApiError.
 */
export function streamErrorEvent(error: BridgeErrorInfo): Buffer {
  return Buffer.from(`data: ${errorBody(error)}\r\n\r\n`);
}

/** The message of a Google error body (an object, or a one-element list of them on some endpoints). */
export function readErrorMessage(text: string): string | null {
  const parsed = parseJson(text);
  if (!parsed.ok) return null;
  const body = Array.isArray(parsed.value) ? parsed.value[0] : parsed.value;
  return stringField(asObject(asObject(body)?.error ?? null), 'message');
}
