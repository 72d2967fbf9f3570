import type { Thread } from '../api/types';
import { formatDuration, formatInteger, formatTime } from '../format';
import { LongText } from './long-text';
import { ErrorBadge, TokenCell } from './tokens';
import { ToolCall } from './tool-call';

/**
 * One thread of a session: its prompt, model, time, duration and tokens, then the agentic loop — the
 * thinking and tool calls of every interception that made tool calls — collapsed until opened.
 */
export function ThreadCard({ thread, index, open }: { thread: Thread; index: number; open: boolean }) {
  const toolCalls = thread.agentic_actions.reduce((total, action) => total + action.tool_calls.length, 0);
  const thoughts = thread.agentic_actions.reduce((total, action) => total + action.thinking.length, 0);
  return (
    <article class="thread" aria-labelledby={`thread-${thread.id}`} data-thread={thread.id}>
      <header>
        <h3 id={`thread-${thread.id}`}>Thread {index + 1}</h3>
        <span class="tag">{thread.model}</span>
        <span class="muted">{thread.provider}</span>
        <span class="muted" title={formatTime(thread.started_at, true)}>
          {formatTime(thread.started_at)}
        </span>
        <span class="muted">{formatDuration(thread.started_at, thread.ended_at)}</span>
        <TokenCell usage={thread.token_usage} />
        <ErrorBadge record={thread} />
      </header>
      {thread.prompt ? <LongText text={thread.prompt} /> : <p class="muted">(no prompt recorded)</p>}
      {thread.error_message ? (
        <p class="error" role="note">
          <strong>{thread.error_type ?? 'Error'}</strong>
          {thread.upstream_status ? ` (HTTP ${thread.upstream_status})` : ''}: {thread.error_message}
        </p>
      ) : null}
      {thread.agentic_actions.length > 0 ? (
        <details class="loop" open={open}>
          <summary>
            Agentic loop: {thread.agentic_actions.length} step{thread.agentic_actions.length === 1 ? '' : 's'}
            , {toolCalls} tool call{toolCalls === 1 ? '' : 's'}
            {thoughts > 0 ? `, ${thoughts} thinking block${thoughts === 1 ? '' : 's'}` : ''}
          </summary>
          <ol class="steps">
            {thread.agentic_actions.map((action, step) => (
              <li key={`${thread.id}-${step}`} class="step">
                <div class="step-head">
                  <span class="tag">{action.model}</span>
                  <span class="muted">
                    {formatInteger(action.token_usage.input_tokens)} in /{' '}
                    {formatInteger(action.token_usage.output_tokens)} out
                  </span>
                </div>
                {action.thinking.map((thought, position) => (
                  <div class="thinking" key={position}>
                    <span class="label">Thinking</span>
                    <LongText text={thought.text} limit={600} />
                  </div>
                ))}
                {action.tool_calls.map((call) => (
                  <ToolCall key={call.id} call={call} />
                ))}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      <footer class="muted small">
        credential: {thread.credential_kind}
        {thread.credential_hint ? ` (${thread.credential_hint})` : ''}
      </footer>
    </article>
  );
}
