import { asObject, countField, omitFields } from '../../json/read-json.js';
import type { UsageSummary } from '../../provider.js';
import { usageFields } from './chat-completions-api.js';

/**
 * Chat Completions usage → the bridge's usage: `prompt_tokens` includes the cached tokens, so
 * input = prompt_tokens − cached_tokens and cache read = cached_tokens; output = completion_tokens
 * (reasoning included). OpenAI reports no cache writes. The details objects stay in metadata.
 */
export function convertUsage(usage: Record<string, unknown>): UsageSummary {
  const cached = countField(asObject(usage.prompt_tokens_details), 'cached_tokens');
  return {
    inputTokens: Math.max(0, countField(usage, 'prompt_tokens') - cached),
    outputTokens: countField(usage, 'completion_tokens'),
    cacheReadInputTokens: cached,
    cacheWriteInputTokens: 0,
    metadata: omitFields(usage, usageFields),
  };
}
