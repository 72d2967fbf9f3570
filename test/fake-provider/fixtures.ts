/** Recorded provider responses in `test/fixtures/`: `.sse` files are exact stream bytes, `.json` bodies. */
import { readFileSync } from 'node:fs';
import type { DecodedEvent } from '../../src/providers/events/decoded-event.js';
import { sseFraming } from '../../src/providers/events/sse-framing.js';
import { SseDecoder } from '../../src/providers/sse/decode-sse.js';

const root = new URL('../fixtures/', import.meta.url);

/** The bytes of a fixture, e.g. `anthropic/stream-text.sse`. */
export function readFixture(name: string): Buffer {
  return readFileSync(new URL(name, root));
}

/** A stream fixture split into its events' exact bytes (each ends with its blank line). */
export function fixtureEvents(name: string): Buffer[] {
  const decoder = new SseDecoder({ trackRaw: true });
  const events = decoder.push(readFixture(name)).map((event) => event.raw as Buffer);
  const rest = decoder.end();
  return rest.length > 0 ? [...events, rest] : events;
}

/** Decodes a stream fixture into events, pushing it in chunks of `chunkSize` bytes (to exercise splits). */
export function decodeFixture(name: string, chunkSize = 7): DecodedEvent[] {
  const bytes = readFixture(name);
  const decoder = sseFraming.createDecoder();
  const events: DecodedEvent[] = [];
  for (let start = 0; start < bytes.length; start += chunkSize) {
    for (const item of decoder.push(bytes.subarray(start, start + chunkSize))) {
      if (!Buffer.isBuffer(item)) events.push(item);
    }
  }
  return events;
}

/** A request captured from a real coding agent (`test/fixtures/agents/`), sanitised: headers and body. */
export interface AgentRequest {
  client: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Reads a captured agent request, e.g. `claude-code-1-prompt.json`. */
export function readAgentRequest(name: string): AgentRequest {
  return JSON.parse(readFixture(`agents/${name}`).toString('utf8')) as AgentRequest;
}
