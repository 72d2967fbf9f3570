/**
 * Canonical records of what the bridge saw: the events the proxy emits and the recorder writes.
 * No I/O here. Every id is a UUIDv7 string; every time is a Date.
 */

/** Free-form JSON object stored beside a record. */
export type JsonObject = { [key: string]: unknown };

/** How the upstream call was authenticated. */
export type CredentialKind = 'centralized' | 'byok';

/** The start of an interception: everything known before the upstream answers. */
export interface InterceptionStart {
  id: string;
  initiatorId: string;
  apiKeyId: string | null;
  /** Provider API type: `openai` or `anthropic`. */
  provider: string;
  /** Configured provider instance name, e.g. `openai`, `anthropic`, `azure-eu`. */
  providerName: string;
  model: string;
  client: string;
  clientSessionId: string | null;
  threadParentId: string | null;
  threadRootId: string | null;
  credentialKind: CredentialKind;
  credentialHint: string;
  metadata: JsonObject;
  startedAt: Date;
}

/** The end of an interception; `error` and `upstreamStatus` are set when it failed. */
export interface InterceptionEnd {
  id: string;
  endedAt: Date;
  upstreamStatus: number | null;
  error: string | null;
  /** Metadata to merge into the interception's metadata at the end (e.g. a parse problem). */
  metadata?: JsonObject;
}

/** Token usage of one upstream response. */
export interface TokenUsageRecord {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  metadata: JsonObject;
  createdAt: Date;
}

/** The user's prompt of a request. */
export interface UserPromptRecord {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  prompt: string;
  metadata: JsonObject;
  createdAt: Date;
}

/** One tool call the model made (or the bridge made for an injected MCP tool). */
export interface ToolUsageRecord {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  providerToolCallId: string | null;
  tool: string;
  /** The call's input as JSON text. */
  input: string;
  injected: boolean;
  serverUrl: string | null;
  invocationError: string | null;
  metadata: JsonObject;
  createdAt: Date;
}

/** A thinking block or reasoning summary of the model. */
export interface ModelThoughtRecord {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  content: string;
  metadata: JsonObject;
  createdAt: Date;
}

/** One event for the recorder; the recorder applies them in the order they were queued. */
export type RecordEvent =
  | { kind: 'interception-start'; record: InterceptionStart }
  | { kind: 'interception-end'; record: InterceptionEnd }
  | { kind: 'token-usage'; record: TokenUsageRecord }
  | { kind: 'user-prompt'; record: UserPromptRecord }
  | { kind: 'tool-usage'; record: ToolUsageRecord }
  | { kind: 'model-thought'; record: ModelThoughtRecord };

/** The session key of SPEC §4: client session id, else thread root, else the interception itself. */
export function sessionKeyOf(
  start: Pick<InterceptionStart, 'id' | 'clientSessionId' | 'threadRootId'>,
): string {
  return start.clientSessionId ?? start.threadRootId ?? start.id;
}
