/**
 * Store rows to the wire shapes of seed 002 (snake_case, Coder's field names and nesting). The schemas in
 * schemas.ts describe the same shapes; the route tests compare both with the seed's examples. The
 * interceptions list is the exception: the database writes its wire JSON (`listInterceptionsJson`).
 */
import type { MinimalUser } from '../../store/query-interceptions.js';
import type { SessionDetailRow, SessionRow } from '../../store/query-sessions.js';
import type { ThreadRow } from '../../store/query-threads.js';
import type { TokenUsageSum } from '../../store/sum-token-usages.js';

/** Wire shape of a token usage sum with summed metadata. */
export interface TokenUsageWithMetadataJson {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
  metadata: Record<string, number>;
}

const userJson = (user: MinimalUser) => ({
  id: user.id,
  username: user.username,
  name: user.name,
  avatar_url: user.avatarUrl,
});

/** A session of the sessions list. */
export function sessionJson(row: SessionRow) {
  return {
    id: row.id,
    initiator: userJson(row.initiator),
    providers: row.providers,
    models: row.models,
    client: row.client,
    metadata: row.metadata,
    started_at: row.startedAt,
    ended_at: row.endedAt,
    threads: row.threads,
    last_prompt: row.lastPrompt,
    last_active_at: row.lastActiveAt,
    token_usage_summary: {
      input_tokens: row.tokenUsageSummary.inputTokens,
      output_tokens: row.tokenUsageSummary.outputTokens,
      cache_read_input_tokens: row.tokenUsageSummary.cacheReadInputTokens,
      cache_write_input_tokens: row.tokenUsageSummary.cacheWriteInputTokens,
    },
  };
}

/** A token usage sum with its summed metadata as a plain object. */
export function tokenUsageSumJson(sum: TokenUsageSum): TokenUsageWithMetadataJson {
  return {
    input_tokens: sum.inputTokens,
    output_tokens: sum.outputTokens,
    cache_read_input_tokens: sum.cacheReadInputTokens,
    cache_write_input_tokens: sum.cacheWriteInputTokens,
    // fromEntries defines own properties, so a `__proto__` key stays a key.
    metadata: Object.fromEntries(sum.metadata),
  };
}

function threadJson(row: ThreadRow) {
  return {
    id: row.id,
    prompt: row.prompt,
    model: row.model,
    provider: row.provider,
    credential_kind: row.credentialKind,
    credential_hint: row.credentialHint,
    started_at: row.startedAt,
    ended_at: row.endedAt,
    token_usage: tokenUsageSumJson(row.tokenUsage),
    error_type: row.outcome.errorType,
    error_message: row.outcome.errorMessage,
    upstream_status: row.outcome.upstreamStatus,
    agentic_actions: row.agenticActions.map((action) => ({
      model: action.model,
      thinking: action.thinking.map((text) => ({ text })),
      token_usage: tokenUsageSumJson(action.tokenUsage),
      tool_calls: action.toolCalls,
    })),
  };
}

/** A session with one page of its threads; the summary covers the whole session (from its rollup). */
export function sessionThreadsJson(input: { session: SessionDetailRow; threads: ThreadRow[] }) {
  const { session, threads } = input;
  let pageStartedAt: string | null = null;
  let pageEndedAt: string | null = null;
  for (const thread of threads) {
    if (pageStartedAt === null || thread.startedAt < pageStartedAt) pageStartedAt = thread.startedAt;
    if (pageEndedAt === null || thread.endedAt > pageEndedAt) pageEndedAt = thread.endedAt;
  }
  return {
    id: session.id,
    initiator: userJson(session.initiator),
    providers: session.providers,
    models: session.models,
    client: session.client,
    metadata: session.metadata,
    started_at: session.startedAt,
    ended_at: session.endedAt,
    page_started_at: pageStartedAt,
    page_ended_at: pageEndedAt,
    threads: threads.map(threadJson),
    token_usage_summary: {
      input_tokens: session.tokenUsageSummary.inputTokens,
      output_tokens: session.tokenUsageSummary.outputTokens,
      cache_read_input_tokens: session.tokenUsageSummary.cacheReadInputTokens,
      cache_write_input_tokens: session.tokenUsageSummary.cacheWriteInputTokens,
      // A copy through entries keeps a `__proto__` key an own key.
      metadata: Object.fromEntries(
        Object.entries(session.tokenMetadata).map(([key, value]) => [key, Number(value)]),
      ),
    },
  };
}
