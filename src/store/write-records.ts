import { type Kysely, sql, type Transaction } from 'kysely';
import type {
  InterceptionEnd,
  InterceptionStart,
  JsonObject,
  ModelThoughtRecord,
  RecordEvent,
  TokenUsageRecord,
  ToolUsageRecord,
  UserPromptRecord,
} from '../core/records.js';
import { sessionKeyOf } from '../core/records.js';
import { insertUnnest } from './insert-unnest.js';
import { factsFromBatch, loadFacts } from './interception-facts.js';
import type { Database } from './schema.js';
import { updateRollups } from './update-rollups.js';

/** The events of one batch, sorted by kind, in queue order within each kind. */
interface SortedBatch {
  starts: Map<string, InterceptionStart>;
  ends: InterceptionEnd[];
  tokenUsages: TokenUsageRecord[];
  userPrompts: UserPromptRecord[];
  toolUsages: ToolUsageRecord[];
  modelThoughts: ModelThoughtRecord[];
}

const json = (value: JsonObject) => JSON.stringify(value);

/**
 * Writes a batch of record events in one transaction: one array-parameter insert per table, then the end updates,
 * then the rollups of the interceptions that ended in this batch. Safe to retry after a failure: rows are
 * inserted with ON CONFLICT DO NOTHING and an interception is only ended (and rolled up) once.
 */
export async function writeRecords(db: Kysely<Database>, events: readonly RecordEvent[]): Promise<void> {
  const batch = sortBatch(events);
  await db.transaction().execute(async (transaction) => {
    // PostgreSQL's JIT compiles the rollup statements (their set-returning functions look costly to the
    // planner) for ~300 ms per batch; the writer's statements are small and never gain from it.
    await sql`SET LOCAL jit = off`.execute(transaction);
    const endedWhole = await insertInterceptions(transaction, batch);
    await insertChildren(transaction, batch);
    const endedLater = await endInterceptions(transaction, batch.ends);
    await updateRollups(transaction, [
      ...factsFromBatch({
        ended: endedWhole,
        tokenUsages: batch.tokenUsages,
        userPrompts: batch.userPrompts,
      }),
      ...(await loadFacts(transaction, endedLater)),
    ]);
  });
}

function sortBatch(events: readonly RecordEvent[]): SortedBatch {
  const batch: SortedBatch = {
    starts: new Map(),
    ends: [],
    tokenUsages: [],
    userPrompts: [],
    toolUsages: [],
    modelThoughts: [],
  };
  for (const event of events) {
    switch (event.kind) {
      case 'interception-start':
        batch.starts.set(event.record.id, event.record);
        break;
      case 'interception-end':
        batch.ends.push(event.record);
        break;
      case 'token-usage':
        batch.tokenUsages.push(event.record);
        break;
      case 'user-prompt':
        batch.userPrompts.push(event.record);
        break;
      case 'tool-usage':
        batch.toolUsages.push(event.record);
        break;
      case 'model-thought':
        batch.modelThoughts.push(event.record);
        break;
    }
  }
  return batch;
}

/**
 * Inserts the started interceptions. An interception whose end is in the same batch is inserted already
 * ended (one write instead of two); those newly inserted ended rows are returned for the rollups.
 */
async function insertInterceptions(
  transaction: Transaction<Database>,
  batch: SortedBatch,
): Promise<Map<string, { start: InterceptionStart; end: InterceptionEnd }>> {
  const ended = new Map<string, { start: InterceptionStart; end: InterceptionEnd }>();
  if (batch.starts.size === 0) return ended;
  const endsById = new Map<string, InterceptionEnd>();
  const laterEnds: InterceptionEnd[] = [];
  for (const end of batch.ends) {
    if (batch.starts.has(end.id) && !endsById.has(end.id)) endsById.set(end.id, end);
    else laterEnds.push(end);
  }
  batch.ends = laterEnds;
  const rows = [...batch.starts.values()].map((start) => {
    const end = endsById.get(start.id);
    return {
      id: start.id,
      initiator_id: start.initiatorId,
      api_key_id: start.apiKeyId,
      provider: start.provider,
      provider_name: start.providerName,
      model: start.model,
      client: start.client,
      client_session_id: start.clientSessionId,
      session_key: sessionKeyOf(start),
      thread_parent_id: start.threadParentId,
      thread_root_id: start.threadRootId,
      credential_kind: start.credentialKind,
      credential_hint: start.credentialHint,
      metadata: json(end?.metadata ? { ...start.metadata, ...end.metadata } : start.metadata),
      started_at: start.startedAt.toISOString(),
      ended_at: end ? end.endedAt.toISOString() : null,
      upstream_status: end ? end.upstreamStatus : null,
      error: end ? end.error : null,
    };
  });
  const inserted = await insertUnnest(transaction, {
    table: 'aibridge_interceptions',
    columns: {
      id: 'uuid',
      initiator_id: 'uuid',
      api_key_id: 'text',
      provider: 'text',
      provider_name: 'text',
      model: 'text',
      client: 'text',
      client_session_id: 'text',
      session_key: 'text',
      thread_parent_id: 'uuid',
      thread_root_id: 'uuid',
      credential_kind: 'text',
      credential_hint: 'text',
      metadata: 'jsonb',
      started_at: 'timestamptz',
      ended_at: 'timestamptz',
      upstream_status: 'integer',
      error: 'text',
    },
    rows,
    returning: ['id'],
  });
  // Only rows this call inserted: a retried batch finds them present and must not roll them up again.
  for (const row of inserted) {
    const id = String(row.id);
    const start = batch.starts.get(id);
    const end = endsById.get(id);
    if (start && end) ended.set(id, { start, end });
  }
  return ended;
}

async function insertChildren(transaction: Transaction<Database>, batch: SortedBatch): Promise<void> {
  const child = { id: 'uuid', interception_id: 'uuid', provider_response_id: 'text' } as const;
  const meta = { metadata: 'jsonb', created_at: 'timestamptz' } as const;
  await insertUnnest(transaction, {
    table: 'aibridge_token_usages',
    columns: {
      ...child,
      input_tokens: 'bigint',
      output_tokens: 'bigint',
      cache_read_input_tokens: 'bigint',
      cache_write_input_tokens: 'bigint',
      ...meta,
    },
    rows: batch.tokenUsages.map((usage) => ({
      id: usage.id,
      interception_id: usage.interceptionId,
      provider_response_id: usage.providerResponseId,
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cache_read_input_tokens: usage.cacheReadInputTokens,
      cache_write_input_tokens: usage.cacheWriteInputTokens,
      metadata: json(usage.metadata),
      created_at: usage.createdAt.toISOString(),
    })),
  });
  await insertUnnest(transaction, {
    table: 'aibridge_user_prompts',
    columns: { ...child, prompt: 'text', ...meta },
    rows: batch.userPrompts.map((prompt) => ({
      id: prompt.id,
      interception_id: prompt.interceptionId,
      provider_response_id: prompt.providerResponseId,
      prompt: prompt.prompt,
      metadata: json(prompt.metadata),
      created_at: prompt.createdAt.toISOString(),
    })),
  });
  await insertUnnest(transaction, {
    table: 'aibridge_tool_usages',
    columns: {
      ...child,
      provider_tool_call_id: 'text',
      tool: 'text',
      server_url: 'text',
      input: 'text',
      injected: 'boolean',
      invocation_error: 'text',
      ...meta,
    },
    rows: batch.toolUsages.map((tool) => ({
      id: tool.id,
      interception_id: tool.interceptionId,
      provider_response_id: tool.providerResponseId,
      provider_tool_call_id: tool.providerToolCallId,
      tool: tool.tool,
      server_url: tool.serverUrl,
      input: tool.input,
      injected: tool.injected,
      invocation_error: tool.invocationError,
      metadata: json(tool.metadata),
      created_at: tool.createdAt.toISOString(),
    })),
  });
  await insertUnnest(transaction, {
    table: 'aibridge_model_thoughts',
    columns: { ...child, content: 'text', ...meta },
    rows: batch.modelThoughts.map((thought) => ({
      id: thought.id,
      interception_id: thought.interceptionId,
      provider_response_id: thought.providerResponseId,
      content: thought.content,
      metadata: json(thought.metadata),
      created_at: thought.createdAt.toISOString(),
    })),
  });
}

/** Ends interceptions started in an earlier batch; returns the ids that were still open. */
async function endInterceptions(
  transaction: Transaction<Database>,
  ends: InterceptionEnd[],
): Promise<string[]> {
  if (ends.length === 0) return [];
  const values = sql.join(
    ends.map(
      (end) =>
        sql`(${end.id}::uuid, ${end.endedAt}::timestamptz, ${end.upstreamStatus}::integer, ${end.error}::text, ${json(end.metadata ?? {})}::jsonb)`,
    ),
  );
  const result = await sql<{ id: string }>`
    UPDATE aibridge_interceptions AS i
    SET ended_at = e.ended_at, upstream_status = e.upstream_status, error = e.error, metadata = i.metadata || e.metadata
    FROM (VALUES ${values}) AS e (id, ended_at, upstream_status, error, metadata)
    WHERE i.id = e.id AND i.ended_at IS NULL
    RETURNING i.id`.execute(transaction);
  return result.rows.map((row) => row.id);
}
