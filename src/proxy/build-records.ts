import { newId } from '../core/ids.js';
import type { InterceptionStart, JsonObject, RecordEvent } from '../core/records.js';
import { storableValue } from '../core/storable-text.js';
import type { ResponseSummary } from '../providers/index.js';

/** How an interception ended. */
export interface InterceptionOutcome {
  endedAt: Date;
  upstreamStatus: number | null;
  error: string | null;
  /** What the response held; null when no response was read (unreachable upstream, error status). */
  summary: ResponseSummary | null;
  /** Merged into the interception's metadata (e.g. parse problems, a client disconnect). */
  metadata: JsonObject;
}

/**
 * The record events of one finished interception, queued as one batch: the writer then inserts the
 * interception already ended, with its children, in one transaction.
 */
export function buildRecords(input: {
  start: InterceptionStart;
  prompt: string | null;
  outcome: InterceptionOutcome;
}): RecordEvent[] {
  const { start, outcome } = input;
  const interceptionId = start.id;
  const summary = outcome.summary;
  const providerResponseId = summary?.responseId ?? '';
  const createdAt = outcome.endedAt;
  const events: RecordEvent[] = [{ kind: 'interception-start', record: start }];
  if (input.prompt !== null) {
    events.push({
      kind: 'user-prompt',
      record: {
        id: newId(),
        interceptionId,
        providerResponseId,
        prompt: input.prompt,
        metadata: {},
        createdAt: start.startedAt,
      },
    });
  }
  if (summary?.usage) {
    const { metadata, ...counts } = summary.usage;
    events.push({
      kind: 'token-usage',
      record: { id: newId(), interceptionId, providerResponseId, ...counts, metadata, createdAt },
    });
  }
  for (const call of summary?.toolCalls ?? []) {
    events.push({
      kind: 'tool-usage',
      record: {
        id: newId(),
        interceptionId,
        providerResponseId,
        providerToolCallId: call.providerToolCallId,
        tool: call.tool,
        input: call.input,
        injected: false,
        serverUrl: null,
        invocationError: null,
        metadata: call.metadata,
        createdAt,
      },
    });
  }
  for (const thought of summary?.thoughts ?? []) {
    events.push({
      kind: 'model-thought',
      record: {
        id: newId(),
        interceptionId,
        providerResponseId,
        content: thought.content,
        metadata: thought.metadata,
        createdAt,
      },
    });
  }
  events.push({
    kind: 'interception-end',
    record: {
      id: interceptionId,
      endedAt: outcome.endedAt,
      upstreamStatus: outcome.upstreamStatus,
      error: outcome.error,
      ...(Object.keys(outcome.metadata).length > 0 ? { metadata: outcome.metadata } : {}),
    },
  });
  // A NUL escaped in the request's JSON would make the database refuse the whole batch.
  return storableValue(events);
}
