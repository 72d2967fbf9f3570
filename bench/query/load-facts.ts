/**
 * The facts the rollups need, read back from stored rows: the bench's check recomputes a sample's rollups
 * from the rows with the write path's own `updateRollups` (the write path itself takes them from the
 * interceptions it writes, never from the database).
 */
import { type Kysely, sql } from 'kysely';
import type { JsonObject } from '../../src/core/records.js';
import type { InterceptionFacts } from '../../src/store/interception-facts.js';
import type { Database } from '../../src/store/schema.js';
import { addTokenUsage, emptyTokenUsageSum } from '../../src/store/sum-token-usages.js';
import { startsThread } from '../../src/store/thread-roots.js';

/** Facts of ended interceptions, by id. */
export async function loadFacts(db: Kysely<Database>, ids: readonly string[]): Promise<InterceptionFacts[]> {
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
     FROM aibridge_interceptions WHERE id = ANY(${idArray})`.execute(db);
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
  const usages = await db
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
  // The newest prompt of each: later time first, then the larger id.
  const prompts = await db
    .selectFrom('aibridge_user_prompts')
    .select(['id', 'interception_id', 'prompt', 'created_at'])
    .where(sql<boolean>`interception_id = ANY(${idArray})`)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const prompt of prompts) {
    const fact = facts.get(prompt.interception_id);
    if (fact) fact.prompt = { text: prompt.prompt, at: prompt.created_at, id: prompt.id };
  }
  return [...facts.values()];
}
