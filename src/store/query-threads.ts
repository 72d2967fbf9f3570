/**
 * The threads of one session. A thread is an ended root interception (no parent) and every ended
 * interception answering its tool calls (`thread_root_id` = the root), so the thread list agrees with the
 * sessions rollup's `threads` count. A page costs the same in a session of five interceptions or of
 * thousands: the page's roots come from a partial index of roots, then only the page's interceptions are
 * read with their usages, prompts, thinking and tool calls. The session-wide summary is not summed here:
 * the sessions rollup holds it (`token_metadata`, migration 0004).
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { ErrorType } from './error-types.js';
import { type ToolCallJson, toolCallWire, toolUsagesOf } from './query-interceptions.js';
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
  toolCalls: ToolCallJson[];
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
  /** How the thread's last interception ended (a later success hides an earlier failure). */
  outcome: InterceptionOutcome;
}

/** How an interception ended: its failure class (null for a success), recorded error and upstream status. */
export interface InterceptionOutcome {
  errorType: ErrorType | null;
  errorMessage: string | null;
  upstreamStatus: number | null;
}

export interface SessionThreadsQuery {
  session: SessionKey;
  limit: number;
  /** Threads after the thread of this interception (newer), or before it (older); never both. */
  afterId: string | null;
  beforeId: string | null;
}

/** A page of threads, oldest first. */
export type SessionThreadsResult = { threads: ThreadRow[] } | { unknownCursor: 'after_id' | 'before_id' };

interface PageInterception {
  id: string;
  threadId: string;
  model: string;
  provider: string;
  credentialKind: string;
  credentialHint: string;
  startedAt: string;
  endedAt: string;
  usages: TokenUsageAmounts[];
  prompt: string | null;
  thinking: string[];
  toolCalls: ToolCallJson[];
  errorType: ErrorType | null;
  errorMessage: string | null;
  upstreamStatus: number | null;
}

/** Reads one page of a session's threads; a cursor that is not an interception of the session is reported. */
export async function listSessionThreads(
  db: Kysely<Database>,
  query: SessionThreadsQuery,
): Promise<SessionThreadsResult> {
  const { session } = query;
  const inSession = sql`i.session_key = ${session.sessionKey} AND i.initiator_id = ${session.initiatorId}
    AND i.ended_at IS NOT NULL`;
  const cursorId = query.afterId ?? query.beforeId;
  let rootId: string | null = null;
  if (cursorId !== null) {
    const cursor = await sql<{ rootId: string }>`
      SELECT coalesce(i.thread_root_id, i.id) AS "rootId" FROM aibridge_interceptions i
      WHERE i.id = ${cursorId} AND ${inSession}`.execute(db);
    rootId = cursor.rows[0]?.rootId ?? null;
    if (rootId === null) return { unknownCursor: query.afterId ? 'after_id' : 'before_id' };
  }
  const roots = await pageRoots(db, { inSession, rootId, after: query.afterId !== null, limit: query.limit });
  const interceptions = await readPageInterceptions(db, { inSession, roots });
  const byThread = new Map<string, PageInterception[]>(roots.map((root) => [root, []]));
  for (const interception of interceptions) byThread.get(interception.threadId)?.push(interception);
  const threads = [...byThread.values()].filter((thread) => thread.length > 0).map(toThread);
  return { threads };
}

/** The ids of a page of roots, oldest first, after or before the cursor's root. */
async function pageRoots(
  db: Kysely<Database>,
  input: { inSession: RawBuilder<unknown>; rootId: string | null; after: boolean; limit: number },
): Promise<string[]> {
  const conditions = [input.inSession, sql`i.thread_parent_id IS NULL`];
  const cursor = sql`(SELECT c.started_at, c.id FROM aibridge_interceptions c WHERE c.id = ${input.rootId})`;
  const backwards = input.rootId !== null && !input.after;
  if (input.rootId !== null)
    conditions.push(
      input.after ? sql`(i.started_at, i.id) > ${cursor}` : sql`(i.started_at, i.id) < ${cursor}`,
    );
  const direction = backwards ? sql`DESC` : sql`ASC`;
  const result = await sql<{ id: string }>`
    SELECT i.id FROM aibridge_interceptions i WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY i.started_at ${direction}, i.id ${direction} LIMIT ${input.limit}`.execute(db);
  const ids = result.rows.map((row) => row.id);
  return backwards ? ids.reverse() : ids;
}

async function readPageInterceptions(
  db: Kysely<Database>,
  input: { inSession: RawBuilder<unknown>; roots: string[] },
): Promise<PageInterception[]> {
  if (input.roots.length === 0) return [];
  const roots = sql`${input.roots}::uuid[]`;
  const result = await sql<PageInterception>`
    SELECT i.id, coalesce(i.thread_root_id, i.id) AS "threadId", i.model, i.provider,
      i.credential_kind AS "credentialKind", i.credential_hint AS "credentialHint",
      ${utcText(sql`i.started_at`)} AS "startedAt", ${utcText(sql`i.ended_at`)} AS "endedAt",
      i.error_type AS "errorType", i.error AS "errorMessage", i.upstream_status AS "upstreamStatus",
      coalesce((
        SELECT json_agg(json_build_object('inputTokens', t.input_tokens, 'outputTokens', t.output_tokens,
          'cacheReadInputTokens', t.cache_read_input_tokens, 'cacheWriteInputTokens', t.cache_write_input_tokens,
          'metadata', t.metadata))
        FROM aibridge_token_usages t WHERE t.interception_id = i.id), '[]') AS usages,
      (SELECT q.prompt FROM aibridge_user_prompts q WHERE q.interception_id = i.id
        ORDER BY q.created_at DESC, q.id DESC LIMIT 1) AS prompt,
      coalesce((SELECT json_agg(m.content ORDER BY m.created_at, m.id) FROM aibridge_model_thoughts m
        WHERE m.interception_id = i.id), '[]') AS thinking,
      (${toolUsagesOf(toolCallWire, sql`i.id`).sql})::json AS "toolCalls"
    FROM aibridge_interceptions i
    WHERE ${input.inSession} AND (i.id = ANY(${roots}) OR i.thread_root_id = ANY(${roots}))
    ORDER BY i.started_at, i.id`.execute(db);
  return result.rows;
}

/** A thread from its interceptions, oldest first; the root is the first. */
function toThread(thread: PageInterception[]): ThreadRow {
  const root = thread.find((interception) => interception.id === interception.threadId) ?? thread[0]!;
  const tokenUsage = emptyTokenUsageSum();
  const agenticActions: AgenticActionRow[] = [];
  let endedAt = root.endedAt;
  const last = thread.at(-1) ?? root;
  for (const interception of thread) {
    for (const usage of interception.usages) addTokenUsage(tokenUsage, usage);
    if (interception.endedAt > endedAt) endedAt = interception.endedAt;
    if (interception.toolCalls.length > 0) {
      const actionUsage = emptyTokenUsageSum();
      for (const usage of interception.usages) addTokenUsage(actionUsage, usage);
      agenticActions.push({
        model: interception.model,
        thinking: interception.thinking,
        tokenUsage: actionUsage,
        toolCalls: interception.toolCalls,
      });
    }
  }
  return {
    id: root.threadId,
    prompt: root.prompt,
    model: root.model,
    provider: root.provider,
    credentialKind: root.credentialKind,
    credentialHint: root.credentialHint,
    startedAt: root.startedAt,
    endedAt,
    tokenUsage,
    agenticActions,
    outcome: {
      errorType: last.errorType,
      errorMessage: last.errorMessage,
      upstreamStatus: last.upstreamStatus,
    },
  };
}
