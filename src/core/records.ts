/**
 * Canonical records of what the bridge saw: one {@link RecordedInterception} per request, built by the
 * proxy when the request ends and written whole by the recorder. No I/O here. Every id is a UUIDv7 string;
 * every time is a Date.
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

/**
 * One interception, whole: the unit the recorder queues, journals and writes (in one transaction, with
 * its rows and its share of the rollups). Every child's `interceptionId` is `start.id`.
 */
export interface RecordedInterception {
  start: InterceptionStart;
  end: InterceptionEnd;
  userPrompts: UserPromptRecord[];
  tokenUsages: TokenUsageRecord[];
  toolUsages: ToolUsageRecord[];
  modelThoughts: ModelThoughtRecord[];
}

/** The interception's metadata: the start's, with what the end adds merged over it. */
export function metadataOf(interception: Pick<RecordedInterception, 'start' | 'end'>): JsonObject {
  const { start, end } = interception;
  return end.metadata ? { ...start.metadata, ...end.metadata } : start.metadata;
}

/** The rows an interception becomes in the database: itself and each of its children. */
export function rowCount(interception: RecordedInterception): number {
  return (
    1 +
    interception.userPrompts.length +
    interception.tokenUsages.length +
    interception.toolUsages.length +
    interception.modelThoughts.length
  );
}

/** The session an interception belongs to: its client's session id, else its thread's root, else itself. */
export function sessionKeyOf(
  start: Pick<InterceptionStart, 'id' | 'clientSessionId' | 'threadRootId'>,
): string {
  return start.clientSessionId ?? start.threadRootId ?? start.id;
}
