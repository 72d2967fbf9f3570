import { TokensPanel } from '../components/tokens-panel';
import { UsersPanel } from '../components/users-panel';
import { useSession } from '../session';
import { useUrlState } from '../url-state';

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
