import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import type { ApiToken, User } from '../api/types';
import { UserCell } from '../components/avatar';
import { Empty, Failed, Loading } from '../components/states';
import { formatRelative, formatTime } from '../format';
import { useSession } from '../session';
import { useUrlState } from '../url-state';

const roleChoices = [
  { value: 'member', label: 'Member — uses the bridge, sees own records' },
  { value: 'auditor', label: 'Auditor — reads every record' },
  { value: 'owner', label: 'Owner — everything' },
];

/** The one role shown for a user: owner above auditor above member. */
function roleOf(user: User): string {
  if (user.roles.includes('owner')) return 'owner';
  return user.roles.includes('auditor') ? 'auditor' : 'member';
}

function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.validations.map((validation) => `${validation.field} ${validation.detail}`);
    return [error.message, ...details].join(' ');
  }
  return error instanceof Error ? error.message : 'Failed.';
}

/** Owners create users with a role; owners and auditors see the list. */
function UsersPanel({
  selected,
  onSelect,
}: {
  selected: string | undefined;
  onSelect: (username: string) => void;
}) {
  const { isOwner } = useSession();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ users: User[] }>('/api/v2/users') });
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('member');
  const changeRole = useMutation({
    mutationFn: (input: { username: string; role: string }) =>
      api<User>(`/api/v2/users/${encodeURIComponent(input.username)}/roles`, {
        method: 'PUT',
        body: { roles: input.role === 'member' ? [] : [input.role] },
      }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  const create = useMutation({
    mutationFn: () =>
      api<User>('/api/v2/users', {
        method: 'POST',
        body: { username, ...(name ? { name } : {}), roles: role === 'member' ? [] : [role] },
      }),
    onSuccess: (user) => {
      setUsername('');
      setName('');
      setRole('member');
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      onSelect(user.username);
    },
  });

  return (
    <section class="card" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      {isOwner ? (
        <form
          class="inline-form"
          aria-label="Create a user"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <label>
            <span>Username</span>
            <input
              name="username"
              required
              value={username}
              onInput={(event) => setUsername(event.currentTarget.value)}
            />
          </label>
          <label>
            <span>Name</span>
            <input name="name" value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </label>
          <label>
            <span>Role</span>
            <select name="role" value={role} onChange={(event) => setRole(event.currentTarget.value)}>
              {roleChoices.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" disabled={create.isPending || username.trim() === ''}>
            Create user
          </button>
          {create.isError ? (
            <p class="error" role="alert">
              {errorText(create.error)}
            </p>
          ) : null}
        </form>
      ) : null}
      {changeRole.isError ? (
        <p class="error" role="alert">
          {errorText(changeRole.error)}
        </p>
      ) : null}
      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <Failed error={users.error} retry={() => void users.refetch()} />
      ) : (
        <div class="table-wrap">
          <table class="data" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Tokens</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((user) => (
                <tr key={user.id} data-user={user.username} aria-selected={selected === user.username}>
                  <td>
                    <UserCell user={user} />
                  </td>
                  <td>
                    {isOwner ? (
                      <select
                        aria-label={`Role of ${user.username}`}
                        value={roleOf(user)}
                        disabled={changeRole.isPending}
                        onChange={(event) =>
                          changeRole.mutate({ username: user.username, role: event.currentTarget.value })
                        }
                      >
                        {roleChoices.map((choice) => (
                          <option key={choice.value} value={choice.value}>
                            {choice.value}
                          </option>
                        ))}
                      </select>
                    ) : (
                      roleOf(user)
                    )}
                  </td>
                  <td>{formatTime(user.created_at)}</td>
                  <td>
                    <button type="button" class="link" onClick={() => onSelect(user.username)}>
                      Tokens of {user.username}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** A user's tokens: list, create (the token is shown once, with copy), delete. */
function TokensPanel({ username }: { username: string }) {
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

/** Users and tokens: owners manage everyone, auditors read, members manage their own tokens. */
export function Admin() {
  const { user, canReadAll } = useSession();
  const [params, setParams] = useUrlState();
  const selected = params.user ?? user.username;
  return (
    <div class="admin">
      <h1>{canReadAll ? 'Users and tokens' : 'Your tokens'}</h1>
      {canReadAll ? (
        <UsersPanel selected={selected} onSelect={(username) => setParams({ user: username })} />
      ) : null}
      <TokensPanel key={selected} username={selected} />
    </div>
  );
}
