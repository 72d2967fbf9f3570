import { asObject, stringField } from '../../json/read-json.js';
import type { ToolCallSummary } from '../../provider.js';

/**
 * An output item → a tool call, when it is one. `function_call` carries JSON `arguments`, `custom_tool_call`
 * free-form `input` (Codex's apply_patch); built-in tools (`local_shell_call`, `web_search_call`, …) are
 * recorded under their type with their `action` as input. The id is `call_id`, which tool outputs echo.
 */
export function toolCallOf(item: Record<string, unknown>): ToolCallSummary | null {
  const type = stringField(item, 'type') ?? '';
  const callId = stringField(item, 'call_id') ?? stringField(item, 'id');
  switch (type) {
    case 'function_call':
      return {
        providerToolCallId: callId,
        tool: stringField(item, 'name') ?? '',
        input: stringField(item, 'arguments') ?? '',
        metadata: {},
      };
    case 'custom_tool_call':
      return {
        providerToolCallId: callId,
        tool: stringField(item, 'name') ?? '',
        input: stringField(item, 'input') ?? '',
        metadata: { type },
      };
    case 'mcp_call':
      return {
        providerToolCallId: callId,
        tool: stringField(item, 'name') ?? '',
        input: stringField(item, 'arguments') ?? '',
        metadata: { type, server_label: stringField(item, 'server_label') },
      };
    default:
      if (!type.endsWith('_call')) return null;
      return {
        providerToolCallId: callId,
        tool: type.slice(0, -'_call'.length),
        input: JSON.stringify(asObject(item.action) ?? {}),
        metadata: { type },
      };
  }
}
