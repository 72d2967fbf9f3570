/**
 * One event of a streamed response, framing removed: the shape every response parser reads, whatever the
 * transport (SSE, a WebSocket message stream, an AWS event stream).
 */
import { parseJson } from './parse-json.js';

/** An event with its exact bytes (forwarded or dropped whole) and its payload parsed as JSON. */
export interface DecodedEvent {
  /** The event's exact bytes on the wire, framing included. */
  raw: Buffer;
  /** The framing's event name (SSE `event:`), or null when it has none. */
  name: string | null;
  /** The payload as text, e.g. OpenAI's `[DONE]` sentinel, which is not JSON. */
  text: string;
  /** The payload parsed as JSON; undefined when it is not JSON (see `problem`). */
  data: unknown;
  /** Why the payload is not JSON, or null when it is. */
  problem: string | null;
}

/** Bytes in, whole events out: one decoder per response, fed chunk by chunk. */
export interface EventDecoder {
  /**
   * Feeds bytes and returns what they completed: events, and `passOn` bytes that belong to no event
   * (an SSE keep-alive comment) but are forwarded in place.
   */
  push(chunk: Uint8Array): (DecodedEvent | Buffer)[];
  /** Ends the response: the bytes of an unfinished event, forwarded but never parsed. */
  end(): Buffer;
}

/** A response's event framing: which responses are event streams, and how to decode them. */
export interface EventFraming {
  /** Whether a successful response with this `content-type` is an event stream. */
  isEventStream(contentType: string): boolean;
  /** A decoder for one response. */
  createDecoder(): EventDecoder;
}

/**
 * An event from its bytes and JSON text: the one place payloads are parsed, also for transports that
 * deliver one JSON document per message (a WebSocket text frame: `raw` is the frame's bytes).
 */
export function decodedEvent(input: { raw: Buffer; name: string | null; text: string }): DecodedEvent {
  const parsed = parseJson(input.text);
  return parsed.ok
    ? { ...input, data: parsed.value, problem: null }
    : { ...input, data: undefined, problem: parsed.error };
}
