/**
 * Builds interceptions for query tests and writes them through the store's own write path
 * (`writeRecords`), so the rollups the query API reads are maintained exactly as in production.
 */
import { newId } from '../../src/core/ids.js';
import type { CredentialKind, JsonObject, RecordedInterception } from '../../src/core/records.js';
import type { Store } from '../../src/store/open-store.js';
import { interceptionStartRow, writeRecords } from '../../src/store/write-records.js';

export interface UsageSpec {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  metadata?: JsonObject;
}

export interface ToolCallSpec {
  tool: string;
  input?: string;
  injected?: boolean;
  serverUrl?: string | null;
  invocationError?: string | null;
  callId?: string;
}

/** One interception; omitted fields get plain defaults. */
export interface InterceptionSpec {
  id?: string;
  initiatorId: string;
  apiKeyId?: string | null;
  provider?: string;
  providerName?: string;
  model?: string;
  client?: string;
  clientSessionId?: string | null;
  threadParentId?: string | null;
  threadRootId?: string | null;
  credentialKind?: CredentialKind;
  credentialHint?: string;
  metadata?: JsonObject;
  startedAt: Date;
  /**
   * Milliseconds until it ended; `null` leaves it open: a row without an end, as a bridge that stopped
   * mid-request without a crash journal leaves behind (the write path itself only writes whole ones).
   */
  durationMs?: number | null;
  usages?: UsageSpec[];
  prompt?: string;
  toolCalls?: ToolCallSpec[];
  thinking?: string[];
  /** How it ended: a 200 without error unless given. */
  end?: { upstreamStatus?: number | null; error?: string | null; metadata?: JsonObject };
}

/** One interception, whole, as the proxy queues it; `open` when its spec leaves it without an end. */
export function interceptionRecord(spec: InterceptionSpec): {
  id: string;
  interception: RecordedInterception;
  open: boolean;
} {
  const id = spec.id ?? newId();
  const at = (offset: number) => new Date(spec.startedAt.getTime() + offset);
  const responseId = `msg_${id.slice(-12)}`;
  const duration = spec.durationMs === undefined ? 1000 : spec.durationMs;
  const interception: RecordedInterception = {
    start: {
      id,
      initiatorId: spec.initiatorId,
      apiKeyId: spec.apiKeyId === undefined ? 'TESTKEY001' : spec.apiKeyId,
      provider: spec.provider ?? 'anthropic',
      providerName: spec.providerName ?? spec.provider ?? 'anthropic',
      model: spec.model ?? 'claude-sonnet-4',
      client: spec.client ?? 'Claude Code',
      clientSessionId: spec.clientSessionId ?? null,
      threadParentId: spec.threadParentId ?? null,
      threadRootId: spec.threadRootId ?? null,
      credentialKind: spec.credentialKind ?? 'centralized',
      credentialHint: spec.credentialHint ?? 'sk-a...wxyz',
      metadata: spec.metadata ?? { user_agent: 'claude-cli/1.0' },
      startedAt: spec.startedAt,
    },
    end: {
      endedAt: at(duration ?? 0),
      upstreamStatus: spec.end?.upstreamStatus === undefined ? 200 : spec.end.upstreamStatus,
      error: spec.end?.error ?? null,
      ...(spec.end?.metadata ? { metadata: spec.end.metadata } : {}),
    },
    userPrompts:
      spec.prompt === undefined
        ? []
        : [
            {
              id: newId(),
              interceptionId: id,
              providerResponseId: responseId,
              prompt: spec.prompt,
              metadata: {},
              createdAt: at(1),
            },
          ],
    modelThoughts: (spec.thinking ?? []).map((text, index) => ({
      id: newId(),
      interceptionId: id,
      providerResponseId: responseId,
      content: text,
      metadata: {},
      createdAt: at(2 + index),
    })),
    toolUsages: (spec.toolCalls ?? []).map((call, index) => ({
      id: newId(),
      interceptionId: id,
      providerResponseId: responseId,
      providerToolCallId: call.callId ?? `toolu_${id.slice(-8)}_${index}`,
      tool: call.tool,
      input: call.input ?? '{}',
      injected: call.injected ?? false,
      serverUrl: call.serverUrl ?? null,
      invocationError: call.invocationError ?? null,
      metadata: {},
      createdAt: at(10 + index),
    })),
    tokenUsages: (spec.usages ?? []).map((usage, index) => ({
      id: newId(),
      interceptionId: id,
      providerResponseId: `${responseId}_${index}`,
      inputTokens: usage.input,
      outputTokens: usage.output,
      cacheReadInputTokens: usage.cacheRead ?? 0,
      cacheWriteInputTokens: usage.cacheWrite ?? 0,
      metadata: usage.metadata ?? {},
      createdAt: at(20 + index),
    })),
  };
  return { id, interception, open: duration === null };
}

/**
 * Writes interceptions through the write path and returns their ids: one batch each, in order, or all in
 * one batch with `oneBatch` (faster for large fixtures; the rollups handle both). Open ones are inserted
 * as rows without an end, which no rollup counts.
 */
export async function recordInterceptions(
  store: Store,
  specs: readonly InterceptionSpec[],
  options: { oneBatch?: boolean } = {},
): Promise<string[]> {
  const built = specs.map(interceptionRecord);
  const ended = built.filter((item) => !item.open).map((item) => item.interception);
  if (options.oneBatch) await writeRecords(store.db, ended);
  else for (const interception of ended) await writeRecords(store.db, [interception]);
  await insertOpen(
    store,
    built.filter((item) => item.open).map((item) => item.interception),
  );
  return built.map((item) => item.id);
}

/** Inserts interceptions as rows that never ended, with their children. */
async function insertOpen(store: Store, interceptions: readonly RecordedInterception[]): Promise<void> {
  const json = (value: JsonObject) => JSON.stringify(value);
  for (const { start, userPrompts, tokenUsages, toolUsages, modelThoughts } of interceptions) {
    await store.db
      .insertInto('aibridge_interceptions')
      .values(interceptionStartRow(start, start.metadata))
      .execute();
    const child = (record: { id: string; interceptionId: string; providerResponseId: string }) => ({
      id: record.id,
      interception_id: record.interceptionId,
      provider_response_id: record.providerResponseId,
    });
    for (const prompt of userPrompts) {
      await store.db
        .insertInto('aibridge_user_prompts')
        .values({
          ...child(prompt),
          prompt: prompt.prompt,
          metadata: json(prompt.metadata),
          created_at: prompt.createdAt,
        })
        .execute();
    }
    for (const usage of tokenUsages) {
      await store.db
        .insertInto('aibridge_token_usages')
        .values({
          ...child(usage),
          input_tokens: usage.inputTokens,
          output_tokens: usage.outputTokens,
          cache_read_input_tokens: usage.cacheReadInputTokens,
          cache_write_input_tokens: usage.cacheWriteInputTokens,
          metadata: json(usage.metadata),
          created_at: usage.createdAt,
        })
        .execute();
    }
    for (const tool of toolUsages) {
      await store.db
        .insertInto('aibridge_tool_usages')
        .values({
          ...child(tool),
          provider_tool_call_id: tool.providerToolCallId,
          tool: tool.tool,
          server_url: tool.serverUrl,
          input: tool.input,
          injected: tool.injected,
          invocation_error: tool.invocationError,
          metadata: json(tool.metadata),
          created_at: tool.createdAt,
        })
        .execute();
    }
    for (const thought of modelThoughts) {
      await store.db
        .insertInto('aibridge_model_thoughts')
        .values({
          ...child(thought),
          content: thought.content,
          metadata: json(thought.metadata),
          created_at: thought.createdAt,
        })
        .execute();
    }
  }
}

/** The smallest ended interception: an id, nothing recorded beside the row (for queue and journal tests). */
export const endedInterception = (id: string): RecordedInterception => ({
  start: {
    id,
    initiatorId: 'u',
    apiKeyId: null,
    provider: 'openai',
    providerName: 'openai',
    model: 'm',
    client: 'Unknown',
    clientSessionId: null,
    threadParentId: null,
    threadRootId: null,
    credentialKind: 'centralized',
    credentialHint: '',
    metadata: {},
    startedAt: new Date(),
  },
  end: { endedAt: new Date(), upstreamStatus: 200, error: null },
  userPrompts: [],
  tokenUsages: [],
  toolUsages: [],
  modelThoughts: [],
});
