import type { ToolUsage } from '../api/types';
import { prettyJson } from '../format';

/** One tool call: its name, whether the bridge injected it (and from which MCP server), its input and error. */
export function ToolCall({ call }: { call: ToolUsage }) {
  return (
    <div class="tool-call" data-tool={call.tool}>
      <div class="tool-head">
        <code class="tool-name">{call.tool}</code>
        {call.injected ? (
          <span class="badge info" title="Called by the bridge itself from an MCP server">
            injected
          </span>
        ) : null}
        {call.server_url ? <span class="muted server-url">{call.server_url}</span> : null}
        {call.invocation_error ? <span class="badge danger">failed</span> : null}
      </div>
      <pre class="json">{prettyJson(call.input)}</pre>
      {call.invocation_error ? (
        <p class="error">
          <strong>Invocation error:</strong> {call.invocation_error}
        </p>
      ) : null}
    </div>
  );
}
