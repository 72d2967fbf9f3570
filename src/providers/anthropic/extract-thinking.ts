import type { ThoughtSummary } from '../provider.js';
import type { ContentBlock } from './messages-api.js';

/**
 * A `thinking` block → a thought. The signature only lets Anthropic verify the block when it is sent back;
 * it is not the model's thinking and is not recorded. `redacted_thinking` holds no readable text.
 */
export function thoughtOf(block: ContentBlock): ThoughtSummary | null {
  if (block.type !== 'thinking' || !block.thinking) return null;
  return { content: block.thinking, metadata: {} };
}
