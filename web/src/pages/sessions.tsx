import { keepPreviousData, useQuery } from '@tanstack/preact-query';
import { Link } from 'wouter-preact';
import { api, queryString } from '../api/client';
import type { SessionsPage } from '../api/types';
import { UserCell } from '../components/avatar';
import { FilterBar, type FilterKey, filtersQuery } from '../components/filters';
import { Pager } from '../components/pager';
import { Empty, Failed, Loading } from '../components/states';
import { Tags, TokenCell } from '../components/tokens';
import {
  formatDayTime,
  formatDuration,
  formatInteger,
  formatRelative,
  formatTime,
  truncate,
} from '../format';
import { useUrlState } from '../url-state';

const keys: FilterKey[] = [
  'initiator',
  'provider',
  'provider_name',
  'model',
  'client',
  'session_id',
  'started_after',
  'started_before',
];
const pageSize = 50;

/** Every session matching the filters, most recently active first, a page at a time. */
export function Sessions() {
  const [params, setParams] = useUrlState();
  const q = filtersQuery(params, keys);
  const offset = Number(params.offset ?? 0) || 0;
  const sessions = useQuery({
    queryKey: ['sessions', q, offset],
    queryFn: () =>
      api<SessionsPage>(`/api/v2/aibridge/sessions${queryString({ q, limit: pageSize, offset })}`),
    placeholderData: keepPreviousData,
  });

  return (
    <section aria-labelledby="sessions-title">
      <div class="page-head">
        <h1 id="sessions-title">Sessions</h1>
        <a class="button" href={`/api/v2/aibridge/sessions${queryString({ q, format: 'csv' })}`} download>
          Export CSV
        </a>
      </div>
      <FilterBar keys={keys} params={params} onChange={setParams} />
      {sessions.isPending ? (
        <Loading label="Loading sessions…" />
      ) : sessions.isError ? (
        <Failed error={sessions.error} retry={() => void sessions.refetch()} />
      ) : sessions.data.sessions.length === 0 ? (
        <Empty title="No sessions match.">
          {q
            ? 'Try fewer filters or a wider time range.'
            : 'Point a client at the bridge and its sessions appear here.'}
        </Empty>
      ) : (
        <>
          <div class="table-wrap">
            <table class="data" aria-describedby="sessions-title" data-testid="sessions-table">
              <thead>
                <tr>
                  <th scope="col">Last prompt</th>
                  <th scope="col">User</th>
                  <th scope="col">Providers</th>
                  <th scope="col">Models</th>
                  <th scope="col">Client</th>
                  <th scope="col" class="number">
                    Threads
                  </th>
                  <th scope="col" class="number">
                    Errors
                  </th>
                  <th scope="col" class="number">
                    Tokens in / out
                  </th>
                  <th scope="col">Started</th>
                  <th scope="col">Last active</th>
                  <th scope="col" class="number">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody>
                {sessions.data.sessions.map((session) => (
                  <tr key={`${session.initiator.id}/${session.id}`} data-session={session.id}>
                    <td class="prompt-cell">
                      <Link
                        class="clamp"
                        href={`/sessions/${encodeURIComponent(session.id)}`}
                        title={truncate(session.last_prompt ?? '', 500)}
                      >
                        {session.last_prompt ? (
                          truncate(session.last_prompt, 140)
                        ) : (
                          <span class="muted">(no prompt)</span>
                        )}
                      </Link>
                    </td>
                    <td>
                      <UserCell user={session.initiator} />
                    </td>
                    <td>
                      <Tags values={session.providers} />
                    </td>
                    <td>
                      <Tags values={session.models} />
                    </td>
                    <td class="ellipsis" title={session.client}>
                      {session.client}
                    </td>
                    <td class="number">{session.threads}</td>
                    <td
                      class={session.errors > 0 ? 'number error' : 'number muted'}
                      data-errors={session.errors}
                    >
                      {formatInteger(session.errors)}
                    </td>
                    <td class="number">
                      <TokenCell usage={session.token_usage_summary} />
                    </td>
                    <td title={formatTime(session.started_at, true)}>{formatDayTime(session.started_at)}</td>
                    <td title={formatTime(session.last_active_at, true)}>
                      {formatRelative(session.last_active_at)}
                    </td>
                    <td class="number">{formatDuration(session.started_at, session.ended_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            offset={offset}
            pageSize={pageSize}
            count={sessions.data.count}
            shown={sessions.data.sessions.length}
            onOffset={(next) => setParams({ offset: next > 0 ? String(next) : undefined }, { push: true })}
            noun="sessions"
          />
        </>
      )}
    </section>
  );
}
