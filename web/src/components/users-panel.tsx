import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { User } from '../api/types';
import { formatTime } from '../format';
import { useSession } from '../session';
import { errorText, roleChoices, roleOf } from './admin-helpers';
import { UserCell } from './avatar';
import { Failed, Loading } from './states';

/** Owners create users with a role; owners and auditors see the list. */
export function UsersPanel({
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
