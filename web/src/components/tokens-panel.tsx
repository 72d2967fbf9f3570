import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { ApiToken } from '../api/types';
import { formatRelative, formatTime } from '../format';
import { useSession } from '../session';
import { errorText } from './admin-helpers';
import { Empty, Failed, Loading } from './states';

/** A user's tokens: list, create (the token is shown once, with copy), delete. */
export function TokensPanel({ username }: { username: string }) {
  const { user: me, isOwner } = useSession();
  const canWrite = isOwner || username === me.username;
  const queryClient = useQueryClient();
  const path = `/api/v2/users/${encodeURIComponent(username)}/keys`;
  const tokens = useQuery({
    queryKey: ['tokens', username],
    queryFn: () => api<ApiToken[]>(`${path}/tokens`),
  });
  const [tokenName, setTokenName] = useState('');
  const [lifetime, setLifetime] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['tokens', username] });
  const create = useMutation({
    mutationFn: () =>
      api<{ key: string }>(`${path}/tokens`, {
        method: 'POST',
        body: { ...(tokenName ? { token_name: tokenName } : {}), ...(lifetime ? { lifetime } : {}) },
      }),
    onSuccess: (result) => {
      setCreated(result.key);
      setCopied(false);
      setTokenName('');
      setLifetime('');
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`${path}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => void refresh(),
  });

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created);
      setCopied(true);
    } catch {
      // Without clipboard access (e.g. plain HTTP), the token stays selectable in the field.
      setCopied(false);
    }
  };

  return (
    <section class="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">Tokens of {username}</h2>
      {canWrite ? (
        <form
          class="inline-form"
          aria-label="Create a token"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <label>
            <span>Token name</span>
            <input
              name="token_name"
              value={tokenName}
              placeholder="laptop"
              onInput={(event) => setTokenName(event.currentTarget.value)}
            />
          </label>
          <label>
            <span>Lifetime</span>
            <input
              name="lifetime"
              value={lifetime}
              placeholder="30d (empty: never expires)"
              onInput={(event) => setLifetime(event.currentTarget.value)}
            />
          </label>
          <button type="submit" class="primary" disabled={create.isPending}>
            Create token
          </button>
          {create.isError ? (
            <p class="error" role="alert">
              {errorText(create.error)}
            </p>
          ) : null}
        </form>
      ) : null}
      {created ? (
        <div class="notice created-token" role="status">
          <p>
            <strong>Copy this token now.</strong> It is shown only once.
          </p>
          <div class="copy-row">
            <input
              readOnly
              value={created}
              aria-label="New token"
              data-testid="new-token"
              onFocus={(event) => event.currentTarget.select()}
            />
            <button type="button" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" class="link" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <Failed error={tokens.error} retry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <Empty title="No tokens." />
      ) : (
        <div class="table-wrap">
          <table class="data" data-testid="tokens-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ID</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id} data-token={token.token_name}>
                  <td>{token.token_name}</td>
                  <td>
                    <code>{token.id}</code>
                  </td>
                  <td>{formatTime(token.created_at)}</td>
                  <td>{token.expires_at ? formatTime(token.expires_at) : 'never'}</td>
                  <td>{token.last_used ? formatRelative(token.last_used) : 'never'}</td>
                  <td>
                    {canWrite ? (
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Delete token ${token.token_name}`}
                        disabled={remove.isPending}
                        onClick={() => {
                          if (
                            window.confirm(
                              `Delete the token "${token.token_name}"? Clients using it stop working.`,
                            )
                          ) {
                            remove.mutate(token.id);
                          }
                        }}
                      >
                        Delete
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {remove.isError ? (
        <p class="error" role="alert">
          {errorText(remove.error)}
        </p>
      ) : null}
    </section>
  );
}
