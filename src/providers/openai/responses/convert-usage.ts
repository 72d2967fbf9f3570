import { asObject, countField, omitFields } from '../../json/read-json.js';
import type { UsageSummary } from '../../provider.js';
import { usageFields } from './responses-api.js';

/**
 * Responses usage → the bridge's usage: input = input_tokens − cached_tokens, cache read =
 * cached_tokens, output = output_tokens (reasoning included); reasoning tokens stay in metadata
 * (`output_tokens_details.reasoning_tokens`).
 */
export function convertUsage(usage: Record<string, unknown>): UsageSummary {
  const cached = countField(asObject(usage.input_tokens_details), 'cached_tokens');
  return {
    inputTokens: Math.max(0, countField(usage, 'input_tokens') - cached),
    outputTokens: countField(usage, 'output_tokens'),
    cacheReadInputTokens: cached,
    cacheWriteInputTokens: 0,
    metadata: omitFields(usage, usageFields),
  };
}
