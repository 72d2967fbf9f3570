/**
 * What the rollups need to know of an interception that just ended. The writer takes them from the batch
 * when the whole interception is in it (the proxy queues each one whole), and reads them back from the
 * database only for an interception whose start was written by an earlier batch.
 */
import { sql, type Transaction } from 'kysely';
import type {
  InterceptionEnd,
  InterceptionStart,
  JsonObject,
  TokenUsageRecord,
  UserPromptRecord,
} from '../core/records.js';
import { sessionKeyOf } from '../core/records.js';
import type { Database } from './schema.js';
import { addTokenUsage, emptyTokenUsageSum, type TokenUsageSum } from './sum-token-usages.js';
import { startsThread } from './thread-roots.js';

/** One ended interception as the rollups see it. */
export interface InterceptionFacts {
  id: string;
  initiatorId: string;
  sessionKey: string;
  client: string;
  metadata: JsonObject;
  startedAt: Date;
  endedAt: Date;
  provider: string;
  providerName: string;
  model: string;
  /** A thread root: it answered no tool call. */
  isRoot: boolean;
  /** It ended with an error (the usage rollups count these). */
  failed: boolean;
  usage: TokenUsageSum;
  /** Its newest prompt, if any. */
  prompt: { text: string; at: Date; id: string } | null;
}

/** The newer of two prompts: later time first, then the larger id (as `ORDER BY created_at, id`). */
function newerPrompt(
  current: InterceptionFacts['prompt'],
  candidate: NonNullable<InterceptionFacts['prompt']>,
): NonNullable<InterceptionFacts['prompt']> {
  if (current === null) return candidate;
  const difference = candidate.at.getTime() - current.at.getTime();
  return difference > 0 || (difference === 0 && candidate.id > current.id) ? candidate : current;
}

/**
 * Facts of interceptions started and ended in this batch, from the batch itself: their children cannot
 * be in an earlier batch, because every child is queued after its interception's start.
 */
export function factsFromBatch(input: {
  ended: ReadonlyMap<string, { start: InterceptionStart; end: InterceptionEnd }>;
  tokenUsages: readonly TokenUsageRecord[];
  userPrompts: readonly UserPromptRecord[];
}): InterceptionFacts[] {
  const facts = new Map<string, InterceptionFacts>();
  for (const [id, { start, end }] of input.ended) {
    facts.set(id, {
      id,
      initiatorId: start.initiatorId,
      sessionKey: sessionKeyOf(start),
      client: start.client,
      metadata: end.metadata ? { ...start.metadata, ...end.metadata } : start.metadata,
      startedAt: start.startedAt,
      endedAt: end.endedAt,
      provider: start.provider,
      providerName: start.providerName,
      model: start.model,
      isRoot: startsThread(start.threadParentId, { ...start.metadata, ...end.metadata }),
      failed: end.error !== null,
      usage: emptyTokenUsageSum(),
      prompt: null,
    });
  }
  for (const usage of input.tokenUsages) {
    const fact = facts.get(usage.interceptionId);
    if (fact) addTokenUsage(fact.usage, usage);
  }
  for (const prompt of input.userPrompts) {
    const fact = facts.get(prompt.interceptionId);
    if (fact)
      fact.prompt = newerPrompt(fact.prompt, { text: prompt.prompt, at: prompt.createdAt, id: prompt.id });
  }
  return [...facts.values()];
}

/** Facts of interceptions whose rows are already stored, read back in the writer's transaction. */
export async function loadFacts(
  transaction: Transaction<Database>,
  ids: readonly string[],
): Promise<InterceptionFacts[]> {
  if (ids.length === 0) return [];
  const idArray = sql`${ids}::uuid[]`;
  const rows = await sql<{
    id: string;
    initiator_id: string;
    session_key: string;
    client: string;
    metadata: JsonObject;
    started_at: Date;
    ended_at: Date;
    provider: string;
    provider_name: string;
    model: string;
    thread_parent_id: string | null;
    failed: boolean;
  }>`SELECT id, initiator_id, session_key, client, metadata, started_at, ended_at, provider, provider_name,
            model, thread_parent_id, error IS NOT NULL AS failed
     FROM aibridge_interceptions WHERE id = ANY(${idArray})`.execute(transaction);
  const facts = new Map<string, InterceptionFacts>();
  for (const row of rows.rows) {
    facts.set(row.id, {
      id: row.id,
      initiatorId: row.initiator_id,
      sessionKey: row.session_key,
      client: row.client,
      metadata: row.metadata,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      provider: row.provider,
      providerName: row.provider_name,
      model: row.model,
      isRoot: startsThread(row.thread_parent_id, row.metadata),
      failed: row.failed,
      usage: emptyTokenUsageSum(),
      prompt: null,
    });
  }
  const usages = await transaction
    .selectFrom('aibridge_token_usages')
    .select([
      'interception_id',
      'input_tokens',
      'output_tokens',
      'cache_read_input_tokens',
      'cache_write_input_tokens',
      'metadata',
    ])
    .where(sql<boolean>`interception_id = ANY(${idArray})`)
    .execute();
  for (const usage of usages) {
    const fact = facts.get(usage.interception_id);
    if (!fact) continue;
    addTokenUsage(fact.usage, {
      inputTokens: usage.input_tokens,
      outputTokens: usage.output_tokens,
      cacheReadInputTokens: usage.cache_read_input_tokens,
      cacheWriteInputTokens: usage.cache_write_input_tokens,
      metadata: usage.metadata,
    });
  }
  const prompts = await transaction
    .selectFrom('aibridge_user_prompts')
    .select(['id', 'interception_id', 'prompt', 'created_at'])
    .where(sql<boolean>`interception_id = ANY(${idArray})`)
    .execute();
  for (const prompt of prompts) {
    const fact = facts.get(prompt.interception_id);
    if (fact)
      fact.prompt = newerPrompt(fact.prompt, { text: prompt.prompt, at: prompt.created_at, id: prompt.id });
  }
  return [...facts.values()];
}
