/**
 * The Responses API's WebSocket mode, as OpenAI serves it and Codex speaks it: the client sends one JSON
 * text message per request (`{"type":"response.create", …Responses body}`), the server answers with one
 * JSON text message per event, the same events as the SSE stream, up to the terminal event. Errors are
 * `{"type":"error","status":N,"error":{…},"headers":{…}}`, which Codex maps to an HTTP error of that status.
 * Everything this transport knows about the Responses wire format and its parser sits in this file.
 */

import { decodedEvent } from '../../providers/events/decoded-event.js';
import { parseJson } from '../../providers/events/parse-json.js';
import type { EndpointAdapter, ResponseParser } from '../../providers/index.js';
import { asObject, stringField } from '../../providers/json/read-json.js';
import { responsesEndpoint } from '../../providers/openai/responses/index.js';
import { errorObject } from '../../providers/openai/shared/errors.js';

/** The message type that asks for a response; every other client message is relayed unrecorded. */
export const responseCreateType = 'response.create';

/** Whether upgrades to this intercepted endpoint are served as the Responses WebSocket transport. */
export function servesWebSocket(endpoint: EndpointAdapter): boolean {
  return endpoint === responsesEndpoint;
}

/** A client message read for recording: its type, and its body when it is a JSON object. */
export interface ClientMessage {
  /** The message's exact text. */
  text: string;
  type: string | null;
  body: Record<string, unknown> | null;
}

/** Reads a client text message; never throws. */
export function readClientMessage(text: string): ClientMessage {
  const parsed = parseJson(text);
  const body = parsed.ok ? asObject(parsed.value) : null;
  return { text, type: stringField(body, 'type'), body };
}

/**
 * A warm-up request (`generate: false`): Codex sends one when it opens a connection so the next turn can
 * continue from its response id; it generates nothing and takes no part in a thread.
 */
export function isWarmup(body: Record<string, unknown>): boolean {
  return body.generate === false;
}

/**
 * Feeds one server message to the request's parser: a WebSocket text frame is one event of the stream,
 * without the SSE framing or an event name.
 */
export function feedServerMessage(parser: ResponseParser, text: string): void {
  parser.onEvent(decodedEvent({ raw: Buffer.from(text), name: null, text }));
}

/** The status of a server `error` message (`status`, or `status_code` as Codex also accepts), else null. */
export function errorMessageStatus(text: string): number | null {
  const parsed = parseJson(text);
  const message = parsed.ok ? asObject(parsed.value) : null;
  if (stringField(message, 'type') !== 'error') return null;
  const status = message?.status ?? message?.status_code;
  return typeof status === 'number' && Number.isInteger(status) ? status : null;
}

/** An error message the bridge sends itself, in the shape Codex turns into an HTTP error of `status`. */
export function errorMessage(input: {
  status: number;
  message: string;
  code: string;
  /** The upstream's own `error` object, when it sent one: relayed as it is. */
  error?: Record<string, unknown> | null;
  headers?: Record<string, string>;
}): string {
  const error = input.error ?? {
    ...errorObject({ status: input.status, message: input.message, code: input.code }),
    param: null,
  };
  return JSON.stringify({ type: 'error', status: input.status, error, headers: input.headers ?? {} });
}
