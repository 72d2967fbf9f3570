import { stringField } from '../json/read-json.js';

/**
 * The text of a thought part (`{text, thought: true}`, sent when `thinkingConfig.includeThoughts` is on);
 * null for any other part. A stream splits one thought over several chunks: the parser joins them.
 */
export function thoughtTextOf(part: Record<string, unknown>): string | null {
  return part.thought === true ? (stringField(part, 'text') ?? '') : null;
}
