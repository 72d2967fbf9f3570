/**
 * The contract between the generic proxy pipeline (`src/proxy/`) and one provider API. The pipeline never
 * names a provider: everything that differs between wire formats sits behind these interfaces.
 */
import type { PassThroughRule, ProviderType } from '../config/config.js';
import type { JsonObject } from '../core/records.js';
import type { SseEvent } from './sse/decode-sse.js';

/** Token usage of one upstream response, with the provider's rules of SPEC §4 applied. */
export interface UsageSummary {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
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
 * through the same per-event handlers inside each implementation.
 */
export interface ResponseParser {
  /** Reads one SSE event; returns false when the bridge must not forward it (an edit SPEC §4 names). */
  onEvent(event: SseEvent): boolean;
  /** Reads a blocking response's JSON body (already parsed). */
  onBody(body: unknown): void;
  /** Everything read so far. */
  summary(): ResponseSummary;
  /**
   * Whether the response's terminal event has been read (or a blocking body whole): the client then has
   * the complete answer, and a client that leaves afterwards has not disconnected.
   */
  isComplete(): boolean;
}

/** What the bridge learns from a request body, and the edits it makes before forwarding it. */
export interface RequestInspection {
  model: string;
  stream: boolean;
  /** The user's prompt; null when the last message is not the user's or carries tool results. */
  prompt: string | null;
  /** The tool call id answered by the latest tool result in the last message (thread lineage). */
  latestToolResultId: string | null;
  /** The body to send upstream when the bridge edited it; null to forward the received bytes. */
  editedBody: string | null;
  /** Whether the parser may drop events, so the stream must be forwarded event by event. */
  mayDropEvents: boolean;
  /** A parser for this request's response. */
  createParser(): ResponseParser;
}

/** One intercepted endpoint, e.g. Anthropic `/v1/messages`. */
export interface EndpointAdapter {
  /** Reads a request body that parsed as a JSON object (`text` is its exact text, for minimal edits). */
  inspect(body: Record<string, unknown>, text: string): RequestInspection;
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

/** One provider API type (`openai`, `anthropic`): its endpoints, auth and error shapes. */
export interface ProviderAdapter {
  type: ProviderType;
  /** The intercepted endpoints (POST), keyed by path below the instance root (e.g. `/v1/messages`). */
  endpoints: ReadonlyMap<string, EndpointAdapter>;
  /**
   * The requests forwarded unrecorded (models, token counts…): nothing that generates. Every other path is
   * answered 404 unless an instance's configuration adds it.
   */
  passThrough: readonly PassThroughRule[];
  /** The path to append to the instance's base URL for a path below the instance root. */
  upstreamPath(path: string): string;
  /** The headers that carry a key upstream. */
  credentialHeaders(key: string): Record<string, string>;
  /** The provider's error body for a bridge error. */
  errorBody(error: BridgeErrorInfo): string;
  /** The message of an upstream error body, or null when it is not in the provider's shape. */
  readErrorMessage(body: string): string | null;
}
