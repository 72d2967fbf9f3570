import { countField, omitFields } from '../json/read-json.js';
import type { UsageSummary } from '../provider.js';
import { usageFields } from './generate-content-api.js';

/**
 * Gemini `usageMetadata` → the bridge's usage: input = promptTokenCount − cachedContentTokenCount, cache
 * read = cachedContentTokenCount, output = candidatesTokenCount + thoughtsTokenCount (Gemini counts
 * thinking apart from the answer, and bills both as output); the rest (total, per-modality details,
 * tool-use prompt tokens) stays in metadata.
 */
export function convertUsage(usage: Record<string, unknown>): UsageSummary {
  const cached = countField(usage, 'cachedContentTokenCount');
  return {
    inputTokens: Math.max(0, countField(usage, 'promptTokenCount') - cached),
    outputTokens: countField(usage, 'candidatesTokenCount') + countField(usage, 'thoughtsTokenCount'),
    cacheReadInputTokens: cached,
    cacheWriteInputTokens: 0,
    metadata: omitFields(usage, usageFields),
  };
}
