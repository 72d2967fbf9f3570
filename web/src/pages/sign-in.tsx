import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import type { WebSession } from '../api/types';

/** Sign-in with a bridge token, exchanged once for a session cookie. */
export function SignIn({
  onSignedIn,
  message,
}: {
  onSignedIn: (session: WebSession) => void;
  message?: string;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api<WebSession>('/api/v2/web-session', { method: 'POST', body: { token } });
      setToken('');
      onSignedIn(session);
    } catch (caught) {
      setError(caught instanceof ApiError || caught instanceof Error ? caught.message : 'Sign-in failed.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <div class="brand">
          <img src="/favicon.svg" alt="" width={32} height={32} /> AI Bridge
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <p class="muted">
          Use your bridge token (<code>aibridge tokens create</code>, or the owner's token printed at first
          start).
        </p>
        {message ? <p class="notice">{message}</p> : null}
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        {error ? (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
