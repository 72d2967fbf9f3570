import type { ToolCallSummary } from '../provider.js';
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
