import { keepPreviousData, useQuery } from '@tanstack/preact-query';
import { useCallback } from 'preact/hooks';
import { api, queryString } from '../api/client';
import type { InterceptionsPage } from '../api/types';
import { UserCell } from '../components/avatar';
import { FilterBar, type FilterKey, filtersQuery } from '../components/filters';
import { InterceptionDetail } from '../components/interception-detail';
import { Pager } from '../components/pager';
import { Empty, Failed, Loading } from '../components/states';
import { ErrorBadge, TokenCell } from '../components/tokens';
import { formatDuration, formatShortTime, formatTime, truncate } from '../format';
import { useUrlState } from '../url-state';

const keys: FilterKey[] = [
  'initiator',
  'provider',
  'provider_name',
  'model',
  'client',
  'started_after',
  'started_before',
];
const pageSize = 50;

/** The request log: every interception matching the filters, newest first, with a detail panel. */
export function Requests() {
  const [params, setParams] = useUrlState();
  const q = filtersQuery(params, keys);
  const offset = Number(params.offset ?? 0) || 0;
  const page = useQuery({
    queryKey: ['interceptions', q, offset],
    queryFn: () =>
      api<InterceptionsPage>(`/api/v2/aibridge/interceptions${queryString({ q, limit: pageSize, offset })}`),
    placeholderData: keepPreviousData,
  });
  const selected = page.data?.results.find((row) => row.id === params.selected);
  const close = useCallback(() => setParams({ selected: undefined }), [setParams]);

  return (
    <section aria-labelledby="requests-title" class={selected ? 'with-detail' : ''}>
      <div class="page-head">
        <h1 id="requests-title">Request log</h1>
        <a
          class="button"
          href={`/api/v2/aibridge/interceptions${queryString({ q, format: 'csv' })}`}
          download
        >
          Export CSV
        </a>
      </div>
      <FilterBar keys={keys} params={params} onChange={setParams} />
      <div class="split">
        <div class="split-main">
          {page.isPending ? (
            <Loading label="Loading requests…" />
          ) : page.isError ? (
            <Failed error={page.error} retry={() => void page.refetch()} />
          ) : page.data.results.length === 0 ? (
            <Empty title="No requests match.">
              {q ? 'Try fewer filters or a wider time range.' : 'Requests through the bridge appear here.'}
            </Empty>
          ) : (
            <>
              <div class="table-wrap">
                <table class="data" data-testid="requests-table">
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">User</th>
                      <th scope="col" class="wide-only">
                        Client
                      </th>
                      <th scope="col" class="wide-only">
                        Provider
                      </th>
                      <th scope="col">Model</th>
                      <th scope="col" class="number">
                        Tokens in / out
                      </th>
                      <th scope="col" class="number wide-only">
                        Tools
                      </th>
                      <th scope="col">Prompt</th>
                      <th scope="col" class="number">
                        Duration
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.results.map((row) => {
                      const usage = row.token_usages.reduce(
                        (sum, item) => ({
                          input_tokens: sum.input_tokens + item.input_tokens,
                          output_tokens: sum.output_tokens + item.output_tokens,
                          cache_read_input_tokens: sum.cache_read_input_tokens + item.cache_read_input_tokens,
                          cache_write_input_tokens:
                            sum.cache_write_input_tokens + item.cache_write_input_tokens,
                        }),
                        {
                          input_tokens: 0,
                          output_tokens: 0,
                          cache_read_input_tokens: 0,
                          cache_write_input_tokens: 0,
                        },
                      );
                      const prompt = row.user_prompts.at(-1)?.prompt;
                      return (
                        <tr
                          key={row.id}
                          data-interception={row.id}
                          aria-selected={row.id === params.selected}
                        >
                          <td>
                            <a
                              href={`?${new URLSearchParams({ ...params, selected: row.id } as Record<string, string>)}`}
                              onClick={(event) => {
                                event.preventDefault();
                                setParams({ selected: row.id });
                              }}
                              title={formatTime(row.started_at, true)}
                            >
                              {formatShortTime(row.started_at)}
                            </a>
                          </td>
                          <td>
                            <UserCell user={row.initiator} />
                          </td>
                          <td class="ellipsis wide-only" title={row.client}>
                            {row.client}
                          </td>
                          <td class="wide-only">{row.provider_name}</td>
                          <td>
                            {row.model}
                            <ErrorBadge record={row} />
                          </td>
                          <td class="number">
                            <TokenCell usage={usage} />
                          </td>
                          <td class="number wide-only">{row.tool_usages.length}</td>
                          <td class="prompt-cell">
                            {prompt ? (
                              <span class="clamp">{truncate(prompt, 160)}</span>
                            ) : (
                              <span class="muted">—</span>
                            )}
                          </td>
                          <td class="number">{formatDuration(row.started_at, row.ended_at)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <Pager
                offset={offset}
                pageSize={pageSize}
                count={page.data.count}
                shown={page.data.results.length}
                onOffset={(next) =>
                  setParams(
                    { offset: next > 0 ? String(next) : undefined, selected: undefined },
                    { push: true },
                  )
                }
                noun="requests"
              />
            </>
          )}
        </div>
        {selected ? <InterceptionDetail interception={selected} onClose={close} /> : null}
      </div>
    </section>
  );
}
