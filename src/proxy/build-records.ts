import { newId } from '../core/ids.js';
import type { InterceptionStart, JsonObject, RecordedInterception } from '../core/records.js';
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
 * The one record of a finished interception, built in one place when its response has ended: the
 * recorder queues it whole and the writer inserts it already ended, with its children, in one transaction.
 */
export function buildRecords(input: {
  start: InterceptionStart;
  prompt: string | null;
  outcome: InterceptionOutcome;
}): RecordedInterception {
  const { start, outcome } = input;
  const interceptionId = start.id;
  const summary = outcome.summary;
  const providerResponseId = summary?.responseId ?? '';
  const createdAt = outcome.endedAt;
  const usage = summary?.usage;
  const recorded: RecordedInterception = {
    start,
    end: {
      endedAt: outcome.endedAt,
      upstreamStatus: outcome.upstreamStatus,
      error: outcome.error,
      ...(Object.keys(outcome.metadata).length > 0 ? { metadata: outcome.metadata } : {}),
    },
    userPrompts:
      input.prompt === null
        ? []
        : [
            {
              id: newId(),
              interceptionId,
              providerResponseId,
              prompt: input.prompt,
              metadata: {},
              createdAt: start.startedAt,
            },
          ],
    tokenUsages: usage
      ? [
          {
            id: newId(),
            interceptionId,
            providerResponseId,
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            cacheReadInputTokens: usage.cacheReadInputTokens,
            cacheWriteInputTokens: usage.cacheWriteInputTokens,
            metadata: usage.metadata,
            createdAt,
          },
        ]
      : [],
    toolUsages: (summary?.toolCalls ?? []).map((call) => ({
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
    })),
    modelThoughts: (summary?.thoughts ?? []).map((thought) => ({
      id: newId(),
      interceptionId,
      providerResponseId,
      content: thought.content,
      metadata: thought.metadata,
      createdAt,
    })),
  };
  // A NUL escaped in the request's JSON would make the database refuse the whole batch.
  return storableValue(recorded);
}
