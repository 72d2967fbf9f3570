import type { ThoughtSummary, ToolCallSummary } from '../provider.js';
import type { ContentBlock } from './messages-api.js';

/**
 * A `tool_use` block (or `server_tool_use`, a tool Anthropic runs itself, e.g. web search) → a tool call.
 * `inputJson` is the input as streamed (`input_json_delta` fragments joined); a blocking body has only the
 * parsed `input`, which is serialised.
 */
export function toolCallOf(block: ContentBlock, inputJson: string | null): ToolCallSummary | null {
  if (block.type !== 'tool_use' && block.type !== 'server_tool_use') return null;
  return {
    providerToolCallId: block.id ?? null,
    tool: block.name ?? '',
    input: inputJson !== null && inputJson !== '' ? inputJson : JSON.stringify(block.input ?? {}),
    metadata: block.type === 'server_tool_use' ? { type: block.type } : {},
  };
}

/**
 * A `thinking` block → a thought. The signature only lets Anthropic verify the block when it is sent back;
 * it is not the model's thinking and is not recorded. `redacted_thinking` holds no readable text.
 */
export function thoughtOf(block: ContentBlock): ThoughtSummary | null {
  if (block.type !== 'thinking' || !block.thinking) return null;
  return { content: block.thinking, metadata: {} };
}
