/**
 * The filters of the sessions list and the request log: each is a search key of the query API, kept in
 * the URL under its own name, and turned into the `q` search by `filtersQuery`.
 */
import { useQuery } from '@tanstack/preact-query';
import { api } from '../api/client';
import type { User } from '../api/types';
import { fromLocalInput, toLocalInput } from '../format';
import { useSession } from '../session';
import type { UrlParams } from '../url-state';

export type FilterKey =
  | 'initiator'
  | 'provider'
  | 'provider_name'
  | 'model'
  | 'client'
  | 'session_id'
  | 'started_after'
  | 'started_before';

const labels: Record<FilterKey, string> = {
  initiator: 'User',
  provider: 'Provider',
  provider_name: 'Provider name',
  model: 'Model',
  client: 'Client',
  session_id: 'Session ID',
  started_after: 'Started after',
  started_before: 'Started before',
};

const providers = ['anthropic', 'openai', 'gemini'];

/** The `q` search of the filters present in the URL. */
export function filtersQuery(params: UrlParams, keys: readonly FilterKey[]): string {
  return keys
    .map((key) => [key, params[key]] as const)
    .filter((entry): entry is readonly [FilterKey, string] => Boolean(entry[1]))
    .map(([key, value]) =>
      /[\s"]/.test(value) ? `${key}:"${value.replaceAll('"', '')}"` : `${key}:${value}`,
    )
    .join(' ');
}

function useDistinct(path: string) {
  return useQuery({
    queryKey: [path],
    queryFn: () => api<string[]>(`${path}?limit=1000`),
    staleTime: 60_000,
  });
}

/** A bar of filter fields; every change goes straight to the URL (and resets paging). */
export function FilterBar({
  keys,
  params,
  onChange,
}: {
  keys: readonly FilterKey[];
  params: UrlParams;
  onChange: (changes: UrlParams) => void;
}) {
  const { canReadAll } = useSession();
  const models = useDistinct('/api/v2/aibridge/models');
  const clients = useDistinct('/api/v2/aibridge/clients');
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => api<{ users: User[] }>('/api/v2/users'),
    enabled: canReadAll && keys.includes('initiator'),
    staleTime: 60_000,
  });
  const set = (key: FilterKey, value: string | undefined) => onChange({ [key]: value, offset: undefined });
  const active = keys.filter((key) => params[key]);

  const select = (key: FilterKey, options: string[] | undefined, optionLabel = (value: string) => value) => {
    const value = params[key] ?? '';
    const values =
      options && value && !options.includes(value)
        ? [value, ...options]
        : (options ?? (value ? [value] : []));
    return (
      <label key={key}>
        <span>{labels[key]}</span>
        <select
          name={key}
          value={value}
          onChange={(event) => set(key, event.currentTarget.value || undefined)}
          data-search={key === keys[0] ? '' : undefined}
        >
          <option value="">Any</option>
          {values.map((option) => (
            <option key={option} value={option}>
              {optionLabel(option)}
            </option>
          ))}
        </select>
      </label>
    );
  };
  const text = (key: FilterKey, placeholder: string) => (
    <label key={key}>
      <span>{labels[key]}</span>
      <input
        name={key}
        type="search"
        placeholder={placeholder}
        defaultValue={params[key] ?? ''}
        key={`${key}:${params[key] ?? ''}`}
        onChange={(event) => set(key, event.currentTarget.value.trim() || undefined)}
      />
    </label>
  );
  const time = (key: FilterKey) => (
    <label key={key}>
      <span>{labels[key]}</span>
      <input
        name={key}
        type="datetime-local"
        value={toLocalInput(params[key])}
        onChange={(event) => set(key, fromLocalInput(event.currentTarget.value))}
      />
    </label>
  );

  return (
    <form class="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      {keys.map((key) => {
        switch (key) {
          case 'initiator':
            return canReadAll
              ? select(
                  key,
                  users.data?.users.map((user) => user.username),
                )
              : null;
          case 'provider':
            return select(key, providers);
          case 'model':
            return select(key, models.data);
          case 'client':
            return select(key, clients.data);
          case 'provider_name':
            return text(key, 'e.g. anthropic');
          case 'session_id':
            return text(key, 'client session id');
          case 'started_after':
          case 'started_before':
            return time(key);
          default:
            return null;
        }
      })}
      {active.length > 0 ? (
        <button
          type="button"
          class="link"
          onClick={() =>
            onChange(Object.fromEntries([...keys.map((key) => [key, undefined]), ['offset', undefined]]))
          }
        >
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
