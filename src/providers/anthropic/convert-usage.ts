import { countField, omitFields } from '../json/read-json.js';
import type { UsageSummary } from '../provider.js';
import { usageFields } from './messages-api.js';

/**
 * Anthropic usage → the bridge's usage: input, output and the two cache counters as reported;
 * `cache_creation_input_tokens` is the cache write. The rest of the object (service tier, the per-TTL
 * cache breakdown, server tool counts) goes to metadata.
 */
export function convertUsage(usage: Record<string, unknown>): UsageSummary {
  return {
    inputTokens: countField(usage, 'input_tokens'),
    outputTokens: countField(usage, 'output_tokens'),
    cacheReadInputTokens: countField(usage, 'cache_read_input_tokens'),
    cacheWriteInputTokens: countField(usage, 'cache_creation_input_tokens'),
    metadata: omitFields(usage, usageFields),
  };
}

/**
 * Folds a later usage report over an earlier one. `message_delta` usage is cumulative for the whole
 * message, so its counts replace those of `message_start` (never added: `output_tokens` in
 * `message_start` is a placeholder the delta's final count already includes). Nulls do not overwrite.
 */
export function mergeUsage(
  earlier: Record<string, unknown> | null,
  later: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}
