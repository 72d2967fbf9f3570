import { useQuery } from '@tanstack/preact-query';
import { useEffect, useRef } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api } from '../api/client';
import type { Interception, SessionThreads } from '../api/types';
import { formatDuration, formatInteger, formatTime } from '../format';
import { UserCell } from './avatar';
import { LongText } from './long-text';
import { ErrorBadge } from './tokens';
import { ToolCall } from './tool-call';

/**
 * The thread facts the interceptions list does not carry (thinking, credential), read from the session
 * threads route, which accepts an interception id: the thread rooted at this interception, or the agentic
 * action whose tool calls it recorded.
 */
function useThreadFacts(interception: Interception) {
  return useQuery({
    queryKey: ['interception-thread', interception.id],
    queryFn: () => api<SessionThreads>(`/api/v2/aibridge/sessions/${interception.id}?limit=200`),
    select: (session) => {
      for (const thread of session.threads) {
        const action = thread.agentic_actions.find((candidate) =>
          candidate.tool_calls.some((call) => call.interception_id === interception.id),
        );
        if (thread.id === interception.id || action) return { session: session.id, thread, action };
      }
      return { session: session.id, thread: undefined, action: undefined };
    },
    retry: false,
  });
}

/** The detail panel of one interception in the request log. */
export function InterceptionDetail({
  interception,
  onClose,
}: {
  interception: Interception;
  onClose: () => void;
}) {
  const facts = useThreadFacts(interception);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [interception.id]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const userAgent = interception.metadata.user_agent;
  const thread = facts.data?.thread;
  const thinking = facts.data?.action?.thinking ?? [];

  return (
    <aside class="detail" aria-labelledby="detail-title" data-testid="interception-detail">
      <div class="detail-head">
        <h2 id="detail-title" tabIndex={-1} ref={heading}>
          Request
        </h2>
        <button type="button" onClick={onClose} aria-label="Close the request details">
          Close
        </button>
      </div>
      <dl class="facts">
        <dt>ID</dt>
        <dd>
          <code>{interception.id}</code>
        </dd>
        <dt>User</dt>
        <dd>
          <UserCell user={interception.initiator} />
        </dd>
        <dt>Provider</dt>
        <dd>
          {interception.provider} · {interception.provider_name}
        </dd>
        <dt>Model</dt>
        <dd>{interception.model}</dd>
        <dt>Client</dt>
        <dd>{interception.client}</dd>
        <dt>User agent</dt>
        <dd>{typeof userAgent === 'string' ? <code>{userAgent}</code> : '—'}</dd>
        <dt>Started</dt>
        <dd>{formatTime(interception.started_at, true)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(interception.started_at, interception.ended_at)}</dd>
        <dt>Token</dt>
        <dd>{interception.api_key_id ? <code>{interception.api_key_id}</code> : '—'}</dd>
        <dt>Credential</dt>
        <dd>
          {thread
            ? `${thread.credential_kind}${thread.credential_hint ? ` (${thread.credential_hint})` : ''}`
            : '—'}
        </dd>
        <dt>Status</dt>
        <dd>
          {interception.upstream_status ?? (interception.error_type ? '' : 'ok')}{' '}
          <ErrorBadge record={interception} />
          {interception.error_message ? <p class="error">{interception.error_message}</p> : null}
        </dd>
      </dl>
      {facts.data ? (
        <p>
          <Link href={`/sessions/${encodeURIComponent(facts.data.session)}`}>Open its session</Link>
        </p>
      ) : null}
      <h3>Token usage</h3>
      {interception.token_usages.length === 0 ? (
        <p class="muted">No usage recorded.</p>
      ) : (
        <table class="data compact">
          <thead>
            <tr>
              <th scope="col">Provider response</th>
              <th scope="col" class="number">
                In
              </th>
              <th scope="col" class="number">
                Out
              </th>
              <th scope="col" class="number">
                Cache read
              </th>
              <th scope="col" class="number">
                Cache write
              </th>
            </tr>
          </thead>
          <tbody>
            {interception.token_usages.map((usage) => (
              <tr key={usage.id}>
                <td class="ellipsis" title={usage.provider_response_id}>
                  <code>{usage.provider_response_id}</code>
                </td>
                <td class="number">{formatInteger(usage.input_tokens)}</td>
                <td class="number">{formatInteger(usage.output_tokens)}</td>
                <td class="number">{formatInteger(usage.cache_read_input_tokens)}</td>
                <td class="number">{formatInteger(usage.cache_write_input_tokens)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Prompt</h3>
      {interception.user_prompts.length === 0 ? (
        <p class="muted">No prompt (a tool result or a follow-up).</p>
      ) : (
        interception.user_prompts.map((prompt) => <LongText key={prompt.id} text={prompt.prompt} />)
      )}
      {thinking.length > 0 ? (
        <>
          <h3>Thinking</h3>
          {thinking.map((thought, index) => (
            <div class="thinking" key={index}>
              <LongText text={thought.text} limit={600} />
            </div>
          ))}
        </>
      ) : null}
      <h3>Tool calls ({interception.tool_usages.length})</h3>
      {interception.tool_usages.map((call) => (
        <ToolCall key={call.id} call={call} />
      ))}
    </aside>
  );
}
