/**
 * The contract between the generic proxy pipeline (`src/proxy/`) and one provider API. The pipeline never
 * names a provider: everything that differs between wire formats sits behind these interfaces — the
 * endpoints and their path patterns, where keys travel, how the upstream call is authorized, how a
 * response is framed into events, and the error shapes.
 */
import type { PassThroughRule } from '../config/config.js';
import type { JsonObject } from '../core/records.js';
import type { TokenCounts } from '../core/token-counts.js';
import type { CredentialSlot, UpstreamRequest } from './credentials.js';
import type { DecodedEvent, EventFraming } from './events/decoded-event.js';

/** Token usage of one upstream response, with the provider's counting rules applied. */
export interface UsageSummary extends TokenCounts {
  /** The rest of the provider's usage object. */
  metadata: JsonObject;
}

/** One tool call the model made. */
export interface ToolCallSummary {
  /** The id a later tool result refers to (`tool_use.id`, `tool_calls[].id`, `call_id`). */
  providerToolCallId: string | null;
  tool: string;
  /** The call's input as JSON text, as the model produced it. */
  input: string;
  metadata: JsonObject;
}

/** A thinking block or reasoning summary. */
export interface ThoughtSummary {
  content: string;
  metadata: JsonObject;
}

/** What one upstream response held. */
export interface ResponseSummary {
  /** The provider's id of the response (message id, completion id, response id). */
  responseId: string | null;
  /** The model that answered, as the response names it (may differ from the requested alias). */
  responseModel?: string | null;
  usage: UsageSummary | null;
  toolCalls: ToolCallSummary[];
  thoughts: ThoughtSummary[];
  /** An error the provider reported inside a successful response, e.g. an `error` event mid-stream. */
  error: string | null;
  /** Parse problems: logged and recorded, never fatal to the client's stream. */
  problems: string[];
}

/**
 * Reads one upstream response: a streamed one event by event, a blocking one as a whole body. Both go
 * through the same per-event handlers inside each implementation. Events come decoded (see
 * {@link EventFraming}), whatever the transport, so a parser never reads framing or JSON text.
 */
export interface ResponseParser {
  /** Reads one event; returns false when the bridge must not forward it (an edit the bridge made). */
  onEvent(event: DecodedEvent): boolean;
  /** Reads a blocking response's JSON body (already parsed). */
  onBody(body: unknown): void;
  /**
   * Ends the response: settles what is still open (a block a broken stream left unfinished) and returns
   * everything read. Asking again returns the same summary.
   */
  finish(): ResponseSummary;
  /**
   * Whether the response's terminal event has been read (or a blocking body whole): the client then has
   * the complete answer, and a client that leaves afterwards has not disconnected.
   */
  isComplete(): boolean;
}

/** What the bridge learns from a request body, and the edits it makes before forwarding it. */
export interface RequestInspection {
  model: string;
  /** The user's prompt; null when the last message is not the user's or carries tool results. */
  prompt: string | null;
  /** The tool call id answered by the latest tool result in the last message (thread lineage). */
  latestToolResultId: string | null;
  /** The body to send upstream when the bridge edited it; null to forward the received bytes. */
  editedBody: string | null;
  /** Marks of the endpoint merged into the interception's metadata (e.g. `compaction: true`). */
  metadata?: JsonObject;
  /** A parser for this request's response. */
  createParser(): ResponseParser;
}

/** An intercepted request as an endpoint reads it. */
export interface InspectInput {
  /** Path below the instance root, without the query string (Gemini names the model in it). */
  path: string;
  /** The body, which parsed as a JSON object. */
  body: Record<string, unknown>;
  /** The body's exact text, for minimal edits. */
  text: string;
}

/** One intercepted endpoint, e.g. Anthropic `POST /v1/messages`. */
export interface EndpointAdapter {
  /** The path pattern below the instance root (`{name}` matches within one segment). Always POST. */
  path: string;
  /**
   * Whether `inspect` may edit the body (return an `editedBody`). An endpoint that never does has its body
   * forwarded upstream as it arrives, while a copy is read beside the forward; one that may is read whole
   * first. (Its provider's `authorize` hook must then not read the body, as no header hook does.)
   */
  editsRequestBody: boolean;
  inspect(request: InspectInput): RequestInspection;
  /** A mid-stream error in this endpoint's framing, sent when the upstream stream fails. */
  streamErrorEvent(error: BridgeErrorInfo): Buffer;
}

/** An error the bridge itself answers with, before it becomes a provider-shaped body. */
export interface BridgeErrorInfo {
  status: number;
  message: string;
  /** A short machine-readable code, e.g. `invalid_api_key`, `upstream_unreachable`. */
  code: string;
}

/** One provider API type (`openai`, `anthropic`, …): its endpoints, credentials, framing and errors. */
export interface ProviderAdapter {
  /** The default instance's base URL, e.g. `https://api.anthropic.com`. */
  defaultBaseUrl: string;
  /** The intercepted endpoints. */
  endpoints: readonly EndpointAdapter[];
  /**
   * The requests forwarded unrecorded (models, token counts…): nothing that generates. Every other path is
   * answered 404 unless an instance's configuration adds it.
   */
  passThrough: readonly PassThroughRule[];
  /** The path to append to the instance's base URL for a path below the instance root. */
  upstreamPath(path: string): string;
  /**
   * Where this API's clients put a key, in the order they are read: the bridge token or, under BYOK, the
   * user's own key. Every slot is stripped before a request goes upstream and redacted in logs.
   */
  credentials: readonly CredentialSlot[];
  /** Puts `key` on an upstream request: a static header, or a signature over the whole request. */
  authorize(request: UpstreamRequest, key: string): UpstreamRequest;
  /** How a streamed response is framed into events. */
  framing: EventFraming;
  /** The provider's error body for a bridge error. */
  errorBody(error: BridgeErrorInfo): string;
  /** The message of an upstream error body, or null when it is not in the provider's shape. */
  readErrorMessage(body: string): string | null;
}
