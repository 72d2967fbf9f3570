/**
 * Token usage sums for threads, agentic actions and sessions. Provider usage metadata differs per
 * provider and changes over time, so it is summed generically: every numeric leaf, nested keys joined by
 * dots (`output_tokens_details.reasoning_tokens`); other values are not summable and are left out.
 */
import type { JsonObject } from '../core/records.js';

/** One token usage row as the sums need it. */
export interface TokenUsageAmounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  metadata: JsonObject;
}

/**
 * A sum of token usages with its metadata's numeric leaves summed by dotted key. A Map, not an object, so a
 * metadata key such as `__proto__` is just a key.
 */
export interface TokenUsageSum {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  metadata: Map<string, number>;
}

/** A zero sum to add usages into. */
export function emptyTokenUsageSum(): TokenUsageSum {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
    metadata: new Map(),
  };
}

/** Adds `usage` into `sum` in place and returns `sum`. */
export function addTokenUsage(sum: TokenUsageSum, usage: TokenUsageAmounts): TokenUsageSum {
  sum.inputTokens += usage.inputTokens;
  sum.outputTokens += usage.outputTokens;
  sum.cacheReadInputTokens += usage.cacheReadInputTokens;
  sum.cacheWriteInputTokens += usage.cacheWriteInputTokens;
  addNumericLeaves(sum.metadata, usage.metadata, '');
  return sum;
}

/** Adds one sum into another in place and returns `sum`. */
export function addTokenUsageSum(sum: TokenUsageSum, other: TokenUsageSum): TokenUsageSum {
  sum.inputTokens += other.inputTokens;
  sum.outputTokens += other.outputTokens;
  sum.cacheReadInputTokens += other.cacheReadInputTokens;
  sum.cacheWriteInputTokens += other.cacheWriteInputTokens;
  for (const [key, value] of other.metadata) sum.metadata.set(key, (sum.metadata.get(key) ?? 0) + value);
  return sum;
}

/** Sums `usages` into a new sum. */
export function sumTokenUsages(usages: Iterable<TokenUsageAmounts>): TokenUsageSum {
  const sum = emptyTokenUsageSum();
  for (const usage of usages) addTokenUsage(sum, usage);
  return sum;
}

function addNumericLeaves(target: Map<string, number>, value: unknown, prefix: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof child === 'number' && Number.isFinite(child)) {
      target.set(path, (target.get(path) ?? 0) + child);
    } else {
      addNumericLeaves(target, child, path);
    }
  }
}
