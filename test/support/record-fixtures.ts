/**
 * Builds record events for query tests and writes them through the store's own write path
 * (`writeRecords`), so the rollups the query API reads are maintained exactly as in production.
 */
import { newId } from '../../src/core/ids.js';
import type { CredentialKind, JsonObject, RecordEvent } from '../../src/core/records.js';
import type { Store } from '../../src/store/open-store.js';
import { writeRecords } from '../../src/store/write-records.js';

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
  /** Milliseconds until it ended; `null` leaves it open. */
  durationMs?: number | null;
  usages?: UsageSpec[];
  prompt?: string;
  toolCalls?: ToolCallSpec[];
  thinking?: string[];
  /** How it ended: a 200 without error unless given. */
  end?: { upstreamStatus?: number | null; error?: string | null; metadata?: JsonObject };
}

/** The events of one interception, in the order the proxy emits them. */
export function interceptionEvents(spec: InterceptionSpec): { id: string; events: RecordEvent[] } {
  const id = spec.id ?? newId();
  const at = (offset: number) => new Date(spec.startedAt.getTime() + offset);
  const responseId = `msg_${id.slice(-12)}`;
  const events: RecordEvent[] = [
    {
      kind: 'interception-start',
      record: {
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
    },
  ];
  if (spec.prompt !== undefined) {
    events.push({
      kind: 'user-prompt',
      record: {
        id: newId(),
        interceptionId: id,
        providerResponseId: responseId,
        prompt: spec.prompt,
        metadata: {},
        createdAt: at(1),
      },
    });
  }
  for (const [index, text] of (spec.thinking ?? []).entries()) {
    events.push({
      kind: 'model-thought',
      record: {
        id: newId(),
        interceptionId: id,
        providerResponseId: responseId,
        content: text,
        metadata: {},
        createdAt: at(2 + index),
      },
    });
  }
  for (const [index, call] of (spec.toolCalls ?? []).entries()) {
    events.push({
      kind: 'tool-usage',
      record: {
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
      },
    });
  }
  for (const [index, usage] of (spec.usages ?? []).entries()) {
    events.push({
      kind: 'token-usage',
      record: {
        id: newId(),
        interceptionId: id,
        providerResponseId: `${responseId}_${index}`,
        inputTokens: usage.input,
        outputTokens: usage.output,
        cacheReadInputTokens: usage.cacheRead ?? 0,
        cacheWriteInputTokens: usage.cacheWrite ?? 0,
        metadata: usage.metadata ?? {},
        createdAt: at(20 + index),
      },
    });
  }
  const duration = spec.durationMs === undefined ? 1000 : spec.durationMs;
  if (duration !== null) {
    events.push({
      kind: 'interception-end',
      record: {
        id,
        endedAt: at(duration),
        upstreamStatus: spec.end?.upstreamStatus === undefined ? 200 : spec.end.upstreamStatus,
        error: spec.end?.error ?? null,
        ...(spec.end?.metadata ? { metadata: spec.end.metadata } : {}),
      },
    });
  }
  return { id, events };
}

/**
 * Writes interceptions through the write path and returns their ids: one batch each, in order, or all in
 * one batch with `oneBatch` (faster for large fixtures; the rollups handle both).
 */
export async function recordInterceptions(
  store: Store,
  specs: readonly InterceptionSpec[],
  options: { oneBatch?: boolean } = {},
): Promise<string[]> {
  const built = specs.map(interceptionEvents);
  if (options.oneBatch) {
    await writeRecords(
      store.db,
      built.flatMap((interception) => interception.events),
    );
  } else {
    for (const interception of built) await writeRecords(store.db, interception.events);
  }
  return built.map((interception) => interception.id);
}
