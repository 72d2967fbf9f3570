/**
 * Forwards an upstream response to the client as it arrives, with backpressure, and feeds the same bytes
 * to the response parser beside the stream. A stream is decoded by the provider's framing and forwarded
 * whole event by whole event (never half an event, so an error event can always follow cleanly); other
 * bodies chunk by chunk as received.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { DecodedEvent } from '../providers/events/decoded-event.js';
import { parseJson } from '../providers/events/parse-json.js';
import type {
  EndpointAdapter,
  ProviderAdapter,
  ResponseParser,
  ResponseSummary,
} from '../providers/index.js';
import { describeError } from './describe-error.js';
import { clientResponseHeaders } from './forward-headers.js';

/** The most of a blocking or error body kept for the parser; bigger bodies are forwarded but not read. */
const maxParsedBody = 64 * 1024 * 1024;
const maxErrorBody = 64 * 1024;

/** What happened while relaying. */
export interface RelayResult {
  upstreamStatus: number;
  summary: ResponseSummary | null;
  /** Why the interception failed: the upstream's error, a broken stream, a client that left. */
  error: string | null;
  clientDisconnected: boolean;
  /** Problems of the relay itself (a parser that threw, an unreadable body). */
  problems: string[];
}

/** Everything {@link relayResponse} needs. */
export interface RelayInput {
  upstream: Dispatcher.ResponseData;
  response: ServerResponse;
  adapter: ProviderAdapter;
  endpoint: EndpointAdapter;
  parser: ResponseParser;
  /** Headers the bridge adds, e.g. the interception id. */
  extraHeaders: Record<string, string>;
  /** Whether the client has gone away (set by the caller's close listener). */
  clientGone(): boolean;
}

/** Relays the response and returns what the parser read and how it ended. */
export async function relayResponse(input: RelayInput): Promise<RelayResult> {
  const { upstream, response } = input;
  const status = upstream.statusCode;
  const contentType = String(upstream.headers['content-type'] ?? '');
  const streaming = status < 400 && input.adapter.framing.isEventStream(contentType);
  response.writeHead(
    status,
    clientResponseHeaders({ headers: upstream.headers, keepLength: !streaming, extra: input.extraHeaders }),
  );
  const result: RelayResult = {
    upstreamStatus: status,
    summary: null,
    error: null,
    clientDisconnected: false,
    problems: [],
  };
  try {
    if (status >= 400) result.error = await relayError(input);
    else if (streaming) result.summary = await relayStream(input, result.problems);
    else result.summary = await relayBody(input, result.problems);
    if (!response.destroyed) response.end();
  } catch (error) {
    result.summary = safeFinish(input.parser, result.problems);
    if (input.clientGone()) {
      // A client that leaves after the terminal event (Codex closes right after `response.completed`)
      // has the whole answer: the interception is complete, and the aborted upstream request no failure.
      if (!isComplete(input.parser, result.problems)) {
        result.clientDisconnected = true;
        result.error = 'client disconnected before the response was complete';
      }
    } else {
      const message = `upstream response failed: ${describeError(error)}`;
      result.error = message;
      if (streaming && !response.destroyed) {
        // The client gets the provider's own error event, so its SDK reports a provider error.
        response.end(
          input.endpoint.streamErrorEvent({ status: 502, message, code: 'upstream_stream_failed' }),
        );
      } else {
        // Mid-body of a blocking response there is no clean way to signal: cut the connection.
        response.destroy();
      }
    }
  }
  if (result.error === null && result.summary?.error) result.error = result.summary.error;
  return result;
}

async function relayStream(input: RelayInput, problems: string[]): Promise<ResponseSummary | null> {
  const decoder = input.adapter.framing.createDecoder();
  for await (const chunk of input.upstream.body as AsyncIterable<Buffer>) {
    const out: Buffer[] = [];
    for (const item of decoder.push(chunk)) {
      if (Buffer.isBuffer(item)) out.push(item);
      else if (feedEvent(input.parser, item, problems)) out.push(item.raw);
    }
    if (out.length > 0) {
      const pending = write(input.response, out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
      if (pending !== undefined) await pending;
    }
  }
  const rest = decoder.end();
  if (rest.length > 0) await write(input.response, rest);
  return safeFinish(input.parser, problems);
}

async function relayBody(input: RelayInput, problems: string[]): Promise<ResponseSummary | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  await pipeBody(input.upstream.body, input.response, (chunk) => {
    size += chunk.length;
    if (size <= maxParsedBody) chunks.push(chunk);
  });
  // The client has every byte: end its response before reading the body for the records.
  input.response.end();
  if (size > maxParsedBody) problems.push(`response body of ${size} bytes is too large to read`);
  else {
    const parsed = parseJson(Buffer.concat(chunks, size).toString('utf8'));
    if (!parsed.ok) problems.push(`response body is not JSON: ${parsed.error}`);
    else {
      try {
        input.parser.onBody(parsed.value);
      } catch (error) {
        problems.push(`parser failed on the response body: ${describeError(error)}`);
      }
    }
  }
  return safeFinish(input.parser, problems);
}

/** Forwards an error response and returns its message for the record. */
async function relayError(input: RelayInput): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input.upstream.body as AsyncIterable<Buffer>) {
    if (size < maxErrorBody) chunks.push(chunk);
    size += chunk.length;
    await write(input.response, chunk);
  }
  const text = Buffer.concat(chunks).subarray(0, maxErrorBody).toString('utf8');
  return (
    input.adapter.readErrorMessage(text) ??
    (text.trim().slice(0, 2000) || `upstream answered ${input.upstream.statusCode}`)
  );
}

/** Feeds one event; a parser that throws is a recorded problem, never a broken stream. */
function feedEvent(parser: ResponseParser, event: DecodedEvent, problems: string[]): boolean {
  try {
    return parser.onEvent(event);
  } catch (error) {
    problems.push(`parser failed on a ${event.name ?? 'message'} event: ${describeError(error)}`);
    return true;
  }
}

function isComplete(parser: ResponseParser, problems: string[]): boolean {
  try {
    return parser.isComplete();
  } catch (error) {
    problems.push(`parser failed to tell whether the response is complete: ${describeError(error)}`);
    return false;
  }
}

function safeFinish(parser: ResponseParser, problems: string[]): ResponseSummary | null {
  try {
    return parser.finish();
  } catch (error) {
    problems.push(`parser failed to summarise: ${describeError(error)}`);
    return null;
  }
}

/**
 * Forwards a body chunk by chunk with backpressure, each chunk also handed to `seen`; rejects when the
 * body fails (an aborted upstream request) or the client's connection is gone. Events rather than an
 * async iterator: a blocking body is one or two chunks, and the iterator's machinery cost more than them.
 */
function pipeBody(
  body: Dispatcher.ResponseData['body'],
  response: ServerResponse,
  seen: (chunk: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const resume = () => {
      response.off('drain', resume);
      if (!response.destroyed) body.resume();
    };
    const cleanup = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      response.off('close', onClose);
      response.off('drain', resume);
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      seen(chunk);
      if (response.destroyed) {
        fail(new Error('client connection closed'));
        return;
      }
      if (!response.write(chunk)) {
        body.pause();
        response.on('drain', resume);
      }
    };
    const onEnd = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => fail(error);
    const onClose = () => {
      if (!response.writableFinished) fail(new Error('client connection closed'));
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    response.once('close', onClose);
  });
}

/**
 * Writes with backpressure: returns a promise to wait for `drain` (or `close`, when the client leaves
 * meanwhile) only when the socket buffer is full, so the common case costs no extra turn of the loop.
 */
function write(response: ServerResponse, chunk: Buffer): Promise<void> | undefined {
  if (response.destroyed) throw new Error('client connection closed');
  if (response.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
