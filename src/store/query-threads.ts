/**
 * The threads of one session: a thread is a root interception and every interception answering its tool
 * calls (same `coalesce(thread_root_id, id)`). Two statements: the session's ended interceptions with their
 * token usages (for the thread list, every thread's sums and the session summary), then tool calls,
 * thinking and prompts for the page's interceptions only.
 */
import { type Kysely, sql } from 'kysely';
import type { ToolUsageRow } from './query-interceptions.js';
import type { SessionKey } from './query-sessions.js';
import { utcText } from './record-filter.js';
import type { Database } from './schema.js';
import {
  addTokenUsage,
  emptyTokenUsageSum,
  type TokenUsageAmounts,
  type TokenUsageSum,
} from './sum-token-usages.js';

/** One interception of a thread that made tool calls. */
export interface AgenticActionRow {
  model: string;
  thinking: string[];
  tokenUsage: TokenUsageSum;
  toolCalls: ToolUsageRow[];
}

/** One thread; its id is the root interception's id. Times are RFC 3339 UTC text. */
export interface ThreadRow {
  id: string;
  prompt: string | null;
  model: string;
  provider: string;
  credentialKind: string;
  credentialHint: string;
  startedAt: string;
  endedAt: string;
  tokenUsage: TokenUsageSum;
  agenticActions: AgenticActionRow[];
}

export interface SessionThreadsQuery {
  session: SessionKey;
  limit: number;
  /** Threads after the thread of this interception (newer), or before it (older); never both. */
  afterId: string | null;
  beforeId: string | null;
}

/** A page of threads, oldest first, and the token usage of the whole session. */
export type SessionThreadsResult =
  | { threads: ThreadRow[]; tokenUsageSummary: TokenUsageSum }
  | { unknownCursor: 'after_id' | 'before_id' };

interface SessionInterception {
  id: string;
  threadId: string;
  model: string;
  provider: string;
  credentialKind: string;
  credentialHint: string;
  startedAt: string;
  endedAt: string;
  usages: TokenUsageAmounts[];
}

interface PageDetails {
  id: string;
  prompt: string | null;
  thinking: string[];
  toolCalls: ToolUsageRow[];
}

/** Reads one page of a session's threads; an interception cursor outside the session is reported. */
export async function listSessionThreads(
  db: Kysely<Database>,
  query: SessionThreadsQuery,
): Promise<SessionThreadsResult> {
  const interceptions = await readSessionInterceptions(db, query.session);
  const threads = groupThreads(interceptions);
  const sessionSum = emptyTokenUsageSum();
  for (const interception of interceptions)
    for (const usage of interception.usages) addTokenUsage(sessionSum, usage);

  const cursorId = query.afterId ?? query.beforeId;
  let start = 0;
  let end = Math.min(query.limit, threads.length);
  if (cursorId !== null) {
    const threadId = interceptions.find((interception) => interception.id === cursorId)?.threadId;
    const position = threads.findIndex((thread) => thread[0]?.threadId === threadId);
    if (threadId === undefined || position < 0)
      return { unknownCursor: query.afterId ? 'after_id' : 'before_id' };
    [start, end] = query.afterId
      ? [position + 1, Math.min(position + 1 + query.limit, threads.length)]
      : [Math.max(0, position - query.limit), position];
  }
  const page = threads.slice(start, end);
  const details = await readPageDetails(
    db,
    page.flat().map((interception) => interception.id),
  );
  return { threads: page.map((thread) => toThread(thread, details)), tokenUsageSummary: sessionSum };
}

/** Groups interceptions (oldest first) into threads, ordered by their root's start, then id. */
function groupThreads(interceptions: readonly SessionInterception[]): SessionInterception[][] {
  const byThread = new Map<string, SessionInterception[]>();
  for (const interception of interceptions) {
    const thread = byThread.get(interception.threadId);
    if (thread) thread.push(interception);
    else byThread.set(interception.threadId, [interception]);
  }
  // Map order is first-seen order, i.e. the order of each thread's earliest interception: its root.
  return [...byThread.values()];
}

function toThread(thread: SessionInterception[], details: Map<string, PageDetails>): ThreadRow {
  const root = thread.find((interception) => interception.id === interception.threadId) ?? thread[0]!;
  const tokenUsage = emptyTokenUsageSum();
  const agenticActions: AgenticActionRow[] = [];
  let endedAt = root.endedAt;
  for (const interception of thread) {
    for (const usage of interception.usages) addTokenUsage(tokenUsage, usage);
    if (interception.endedAt > endedAt) endedAt = interception.endedAt;
    const detail = details.get(interception.id);
    if (detail && detail.toolCalls.length > 0) {
      const actionUsage = emptyTokenUsageSum();
      for (const usage of interception.usages) addTokenUsage(actionUsage, usage);
      agenticActions.push({
        model: interception.model,
        thinking: detail.thinking,
        tokenUsage: actionUsage,
        toolCalls: detail.toolCalls,
      });
    }
  }
  return {
    id: root.threadId,
    prompt: details.get(root.id)?.prompt ?? null,
    model: root.model,
    provider: root.provider,
    credentialKind: root.credentialKind,
    credentialHint: root.credentialHint,
    startedAt: root.startedAt,
    endedAt,
    tokenUsage,
    agenticActions,
  };
}

async function readSessionInterceptions(
  db: Kysely<Database>,
  session: SessionKey,
): Promise<SessionInterception[]> {
  const result = await sql<SessionInterception>`
    SELECT i.id, coalesce(i.thread_root_id, i.id) AS "threadId", i.model, i.provider,
      i.credential_kind AS "credentialKind", i.credential_hint AS "credentialHint",
      ${utcText(sql`i.started_at`)} AS "startedAt", ${utcText(sql`i.ended_at`)} AS "endedAt",
      coalesce((
        SELECT json_agg(json_build_object('inputTokens', t.input_tokens, 'outputTokens', t.output_tokens,
          'cacheReadInputTokens', t.cache_read_input_tokens, 'cacheWriteInputTokens', t.cache_write_input_tokens,
          'metadata', t.metadata))
        FROM aibridge_token_usages t WHERE t.interception_id = i.id), '[]') AS usages
    FROM aibridge_interceptions i
    WHERE i.session_key = ${session.sessionKey} AND i.initiator_id = ${session.initiatorId} AND i.ended_at IS NOT NULL
    ORDER BY i.started_at, i.id`.execute(db);
  return result.rows;
}

async function readPageDetails(db: Kysely<Database>, ids: string[]): Promise<Map<string, PageDetails>> {
  if (ids.length === 0) return new Map();
  const result = await sql<PageDetails>`
    SELECT p.id,
      (SELECT q.prompt FROM aibridge_user_prompts q WHERE q.interception_id = p.id
        ORDER BY q.created_at DESC, q.id DESC LIMIT 1) AS prompt,
      coalesce((SELECT json_agg(m.content ORDER BY m.created_at, m.id) FROM aibridge_model_thoughts m
        WHERE m.interception_id = p.id), '[]') AS thinking,
      coalesce((
        SELECT json_agg(json_build_object('id', x.id, 'interceptionId', x.interception_id,
          'providerResponseId', x.provider_response_id, 'tool', x.tool, 'input', x.input,
          'injected', x.injected, 'serverUrl', x.server_url, 'invocationError', x.invocation_error,
          'metadata', x.metadata, 'createdAt', ${utcText(sql`x.created_at`)}) ORDER BY x.created_at, x.id)
        FROM aibridge_tool_usages x WHERE x.interception_id = p.id), '[]') AS "toolCalls"
    FROM unnest(${ids}::uuid[]) AS p(id)`.execute(db);
  return new Map(result.rows.map((row) => [row.id, row]));
}
