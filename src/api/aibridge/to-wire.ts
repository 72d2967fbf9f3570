/**
 * The wire shapes built in Node (snake_case, Coder's field names and nesting): a session's threads, whose
 * token sums add up usage metadata by dotted key. Everything else the database writes from the field
 * lists in the store (query-wire-fields.ts), and so do a thread's tool calls and its session's header.
 */
import type { SessionDetail } from '../../store/query-sessions.js';
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

/**
 * A session with one page of its threads: the session's header as the database wrote it, the page's
 * span, and the summary of the whole session (from its rollup).
 */
export function sessionThreadsJson(input: { session: SessionDetail; threads: ThreadRow[] }) {
  const { session, threads } = input;
  let pageStartedAt: string | null = null;
  let pageEndedAt: string | null = null;
  for (const thread of threads) {
    if (pageStartedAt === null || thread.startedAt < pageStartedAt) pageStartedAt = thread.startedAt;
    if (pageEndedAt === null || thread.endedAt > pageEndedAt) pageEndedAt = thread.endedAt;
  }
  return {
    ...session.header,
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
