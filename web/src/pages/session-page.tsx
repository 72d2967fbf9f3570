import { useInfiniteQuery } from '@tanstack/preact-query';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { api, queryString } from '../api/client';
import type { SessionThreads, Thread } from '../api/types';
import { UserCell } from '../components/avatar';
import { Empty, Failed, Loading } from '../components/states';
import { ThreadCard } from '../components/thread-card';
import { Tags } from '../components/tokens';
import { formatDuration, formatInteger, formatTime } from '../format';

const pageSize = 20;

/** Whether a thread mentions `needle` in its prompt, thinking, tool names or tool inputs. */
function threadMatches(thread: Thread, needle: string): boolean {
  const lower = needle.toLowerCase();
  if (thread.prompt?.toLowerCase().includes(lower)) return true;
  return thread.agentic_actions.some(
    (action) =>
      action.thinking.some((thought) => thought.text.toLowerCase().includes(lower)) ||
      action.tool_calls.some(
        (call) => call.tool.toLowerCase().includes(lower) || call.input.toLowerCase().includes(lower),
      ),
  );
}

/** A session: its summary card, then its threads oldest first, loading more as the reader scrolls. */
export function SessionPage({ id }: { id: string }) {
  const [search, setSearch] = useState('');
  const sentinel = useRef<HTMLDivElement>(null);
  const pages = useInfiniteQuery({
    queryKey: ['session', id],
    queryFn: ({ pageParam }) =>
      api<SessionThreads>(
        `/api/v2/aibridge/sessions/${encodeURIComponent(id)}${queryString({ limit: pageSize, after_id: pageParam })}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.threads.length < pageSize ? undefined : last.threads.at(-1)?.id),
  });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;

  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const threads = useMemo(() => pages.data?.pages.flatMap((page) => page.threads) ?? [], [pages.data]);
  const shown = useMemo(
    () =>
      threads
        .map((thread, index) => ({ thread, index }))
        .filter(({ thread }) => !search || threadMatches(thread, search)),
    [threads, search],
  );

  if (pages.isPending) return <Loading label="Loading the session…" />;
  // A failed next page keeps the threads already shown; only a failed first page replaces the view.
  if (!pages.data) return <Failed error={pages.error} retry={() => void pages.refetch()} />;
  const session = pages.data.pages[0];
  if (!session) return <Empty title="No such session." />;
  const summary = session.token_usage_summary;

  return (
    <section aria-labelledby="session-title">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/sessions">Sessions</Link> / <span>{session.id}</span>
      </nav>
      <div class="card summary" data-testid="session-summary">
        <h1 id="session-title">Session</h1>
        <dl>
          <div>
            <dt>ID</dt>
            <dd>
              <code>{session.id}</code>
            </dd>
          </div>
          <div>
            <dt>User</dt>
            <dd>
              <UserCell user={session.initiator} />
            </dd>
          </div>
          <div>
            <dt>Client</dt>
            <dd>{session.client}</dd>
          </div>
          <div>
            <dt>Providers</dt>
            <dd>
              <Tags values={session.providers} />
            </dd>
          </div>
          <div>
            <dt>Models</dt>
            <dd>
              <Tags values={session.models} />
            </dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatTime(session.started_at, true)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{formatDuration(session.started_at, session.ended_at)}</dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd class={session.errors > 0 ? 'error' : undefined} data-errors={session.errors}>
              {formatInteger(session.errors)}
            </dd>
          </div>
          <div>
            <dt>Input tokens</dt>
            <dd>{formatInteger(summary.input_tokens)}</dd>
          </div>
          <div>
            <dt>Output tokens</dt>
            <dd>{formatInteger(summary.output_tokens)}</dd>
          </div>
          <div>
            <dt>Cache read / write</dt>
            <dd>
              {formatInteger(summary.cache_read_input_tokens)} /{' '}
              {formatInteger(summary.cache_write_input_tokens)}
            </dd>
          </div>
          {typeof session.metadata.user_agent === 'string' ? (
            <div>
              <dt>User agent</dt>
              <dd>
                <code>{session.metadata.user_agent}</code>
              </dd>
            </div>
          ) : null}
        </dl>
        <p>
          <Link
            href={`/requests?initiator=${encodeURIComponent(session.initiator.username)}&started_after=${encodeURIComponent(session.started_at)}`}
          >
            Requests of this user from the session's start
          </Link>
        </p>
      </div>
      <div class="page-head">
        <h2>Threads</h2>
        <label class="inline">
          <span class="visually-hidden">Search this session</span>
          <input
            type="search"
            data-search=""
            placeholder="Search prompts, tools, inputs…"
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
          />
        </label>
      </div>
      {search ? (
        <p class="muted" aria-live="polite">
          {shown.length} of {threads.length} loaded threads match{hasNextPage ? ' (scroll to load more)' : ''}
          .
        </p>
      ) : null}
      {threads.length === 0 ? <Empty title="This session has no threads yet." /> : null}
      <div class="timeline">
        {shown.map(({ thread, index }) => (
          <ThreadCard key={thread.id} thread={thread} index={index} open={search !== ''} />
        ))}
      </div>
      <div ref={sentinel} class="sentinel">
        {isFetchingNextPage ? <Loading label="Loading more threads…" /> : null}
        {hasNextPage && !isFetchingNextPage ? (
          <button type="button" onClick={() => void fetchNextPage()}>
            Load more threads
          </button>
        ) : null}
        {pages.isFetchNextPageError ? (
          <Failed error={pages.error} retry={() => void fetchNextPage()} />
        ) : null}
      </div>
    </section>
  );
}
