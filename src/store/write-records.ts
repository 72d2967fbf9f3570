import { type Kysely, sql } from 'kysely';
import type { InterceptionStart, JsonObject, RecordedInterception } from '../core/records.js';
import { metadataOf, sessionKeyOf } from '../core/records.js';
import { executeTogether, insertUnnest, unnestInsertStatement } from './insert-unnest.js';
import { factsOf } from './interception-facts.js';
import type { Database } from './schema.js';
import { updateRollups } from './update-rollups.js';

const json = (value: JsonObject) => JSON.stringify(value);

/**
 * Writes a batch of whole interceptions in one transaction: one array-parameter insert per table, then
 * the rollups of the interceptions this call inserted. Safe to retry after a failure or to replay: rows
 * are inserted with ON CONFLICT DO NOTHING, and an interception already present is not rolled up again.
 */
export async function writeRecords(
  db: Kysely<Database>,
  interceptions: readonly RecordedInterception[],
): Promise<void> {
  if (interceptions.length === 0) return;
  await db.connection().execute(async (connection) => {
    // PostgreSQL's JIT compiles the rollup statements (their set-returning functions look costly to the
    // planner) for ~300 ms per batch; the writer's statements are small and never gain from it. Sent with
    // BEGIN as one simple-protocol message (no parameters): one round trip less than Kysely's transaction.
    try {
      await sql.raw('BEGIN; SET LOCAL jit = off').execute(connection);
      const inserted = await insertInterceptions(connection, interceptions);
      await insertChildren(connection, interceptions);
      await updateRollups(connection, inserted.map(factsOf));
      await sql.raw('COMMIT').execute(connection);
    } catch (error) {
      // As Kysely's transaction does: a broken connection cannot roll back (the server already has), and
      // the pool discards it. Also after a failed BEGIN message, so no connection goes back to the pool
      // inside an aborted transaction (a ROLLBACK outside one only warns).
      await sql
        .raw('ROLLBACK')
        .execute(connection)
        .catch(() => {});
      throw error;
    }
  });
}

/**
 * The columns of an interception row known when it starts (`metadata` is the row's whole metadata). One
 * definition for the writer and for anything else that inserts a start row.
 */
export function interceptionStartRow(start: InterceptionStart, metadata: JsonObject) {
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
    metadata: json(metadata),
    started_at: start.startedAt.toISOString(),
  };
}

/** Inserts the interceptions, already ended; returns those this call inserted (a retry finds them present). */
async function insertInterceptions(
  transaction: Kysely<Database>,
  interceptions: readonly RecordedInterception[],
): Promise<RecordedInterception[]> {
  const byId = new Map<string, RecordedInterception>();
  for (const interception of interceptions) {
    if (!byId.has(interception.start.id)) byId.set(interception.start.id, interception);
  }
  const rows = [...byId.values()].map((interception) => {
    const { start, end } = interception;
    return {
      ...interceptionStartRow(start, metadataOf(interception)),
      ended_at: end.endedAt.toISOString(),
      upstream_status: end.upstreamStatus,
      error: end.error,
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
  return inserted.flatMap((row) => byId.get(String(row.id)) ?? []);
}

async function insertChildren(
  transaction: Kysely<Database>,
  interceptions: readonly RecordedInterception[],
): Promise<void> {
  const child = { id: 'uuid', interception_id: 'uuid', provider_response_id: 'text' } as const;
  const meta = { metadata: 'jsonb', created_at: 'timestamptz' } as const;
  // One round trip for the four tables.
  await executeTogether(transaction, [
    unnestInsertStatement({
      table: 'aibridge_token_usages',
      columns: {
        ...child,
        input_tokens: 'bigint',
        output_tokens: 'bigint',
        cache_read_input_tokens: 'bigint',
        cache_write_input_tokens: 'bigint',
        ...meta,
      },
      rows: interceptions
        .flatMap((interception) => interception.tokenUsages)
        .map((usage) => ({
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
    }),
    unnestInsertStatement({
      table: 'aibridge_user_prompts',
      columns: { ...child, prompt: 'text', ...meta },
      rows: interceptions
        .flatMap((interception) => interception.userPrompts)
        .map((prompt) => ({
          id: prompt.id,
          interception_id: prompt.interceptionId,
          provider_response_id: prompt.providerResponseId,
          prompt: prompt.prompt,
          metadata: json(prompt.metadata),
          created_at: prompt.createdAt.toISOString(),
        })),
    }),
    unnestInsertStatement({
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
      rows: interceptions
        .flatMap((interception) => interception.toolUsages)
        .map((tool) => ({
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
    }),
    unnestInsertStatement({
      table: 'aibridge_model_thoughts',
      columns: { ...child, content: 'text', ...meta },
      rows: interceptions
        .flatMap((interception) => interception.modelThoughts)
        .map((thought) => ({
          id: thought.id,
          interception_id: thought.interceptionId,
          provider_response_id: thought.providerResponseId,
          content: thought.content,
          metadata: json(thought.metadata),
          created_at: thought.createdAt.toISOString(),
        })),
    }),
  ]);
}
