/**
 * What the rollups need to know of an interception that just ended, taken from the interception itself:
 * the recorder queues and writes each one whole, so nothing is read back from the database.
 */
import type { RecordedInterception } from '../core/records.js';
import { type JsonObject, metadataOf, sessionKeyOf } from '../core/records.js';
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

/** The facts of one whole interception. */
export function factsOf(interception: RecordedInterception): InterceptionFacts {
  const { start, end } = interception;
  const metadata = metadataOf(interception);
  const usage = emptyTokenUsageSum();
  for (const record of interception.tokenUsages) addTokenUsage(usage, record);
  let prompt: InterceptionFacts['prompt'] = null;
  for (const record of interception.userPrompts)
    prompt = newerPrompt(prompt, { text: record.prompt, at: record.createdAt, id: record.id });
  return {
    id: start.id,
    initiatorId: start.initiatorId,
    sessionKey: sessionKeyOf(start),
    client: start.client,
    metadata,
    startedAt: start.startedAt,
    endedAt: end.endedAt,
    provider: start.provider,
    providerName: start.providerName,
    model: start.model,
    isRoot: startsThread(start.threadParentId, metadata),
    failed: end.error !== null,
    usage,
    prompt,
  };
}
