/**
 * What metrics and traces read from one finished interception: the same object the proxy queues to the
 * recorder (its start and its outcome), so the proxy reports an interception with one call.
 */
import type { InterceptionStart } from '../core/records.js';
import type { InterceptionOutcomeLabel } from './metric-names.js';

/** The parts of an interception's outcome the observers read. */
export interface ObservedOutcome {
  endedAt: Date;
  upstreamStatus: number | null;
  error: string | null;
  summary: {
    responseId: string | null;
    responseModel?: string | null;
    usage: {
      inputTokens: number;
      outputTokens: number;
      cacheReadInputTokens: number;
      cacheWriteInputTokens: number;
    } | null;
  } | null;
  metadata: Record<string, unknown>;
}

/** One finished interception as the proxy queues it. */
export interface ObservedInterception {
  start: InterceptionStart;
  outcome: ObservedOutcome;
}

/** How an interception ended, as a metric label. */
export function outcomeLabel(outcome: ObservedOutcome): InterceptionOutcomeLabel {
  if (outcome.metadata.client_disconnected === true) return 'client_disconnected';
  if (outcome.upstreamStatus !== null && outcome.upstreamStatus >= 400) return 'upstream_error';
  if (outcome.error !== null || outcome.upstreamStatus === null) return 'failed';
  return 'ok';
}
