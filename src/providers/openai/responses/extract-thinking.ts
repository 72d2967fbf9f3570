import { arrayField, asObject, stringField } from '../../json/read-json.js';
import type { ThoughtSummary } from '../../provider.js';

/**
 * A `reasoning` output item → a thought: its summary parts (what OpenAI returns when a summary is
 * requested), else its `reasoning_text` content (open-weight models). Encrypted reasoning is not readable.
 */
export function thoughtOf(item: Record<string, unknown>): ThoughtSummary | null {
  if (stringField(item, 'type') !== 'reasoning') return null;
  const texts = (field: string, partType: string) =>
    arrayField(item, field)
      .map(asObject)
      .filter((part) => stringField(part, 'type') === partType)
      .map((part) => stringField(part, 'text') ?? '')
      .filter((text) => text !== '');
  const summary = texts('summary', 'summary_text');
  const parts = summary.length > 0 ? summary : texts('content', 'reasoning_text');
  if (parts.length === 0) return null;
  return {
    content: parts.join('\n\n'),
    metadata: summary.length > 0 ? { kind: 'summary' } : { kind: 'reasoning' },
  };
}
