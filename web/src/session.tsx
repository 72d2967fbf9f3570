/**
 * Who is signed in. The page asks the server (`GET /api/v2/web-session`); the answer carries the user
 * and the CSRF token that requests changing anything must send. Signing in posts the token once; the
 * server answers with an HttpOnly cookie, so the token is never kept by the page.
 */

import { useQueryClient } from '@tanstack/preact-query';
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { ApiError, api, setCsrfToken, setSignedOutHandler } from './api/client';
import type { User, WebSession } from './api/types';

interface SessionState {
  user: User;
  isOwner: boolean;
  canReadAll: boolean;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** The signed-in user; only used below SessionGate, where there always is one. */
export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in view');
  return session;
}

type Status =
  | { kind: 'loading' }
  | { kind: 'signed-out'; message?: string }
  | { kind: 'signed-in'; user: User };

/** Shows the sign-in page until a session exists, then its children. */
export function SessionGate({
  children,
  signIn,
}: {
  children: ComponentChildren;
  signIn: (props: { onSignedIn: (session: WebSession) => void; message?: string }) => ComponentChildren;
}) {
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const queryClient = useQueryClient();

  const accept = useCallback((session: WebSession) => {
    setCsrfToken(session.csrf_token);
    setStatus({ kind: 'signed-in', user: session.user });
  }, []);

  useEffect(() => {
    setSignedOutHandler(() => {
      setCsrfToken(null);
      queryClient.clear();
      setStatus({ kind: 'signed-out', message: 'Your session has ended. Sign in again.' });
    });
    api<WebSession>('/api/v2/web-session').then(accept, (error: unknown) =>
      setStatus(
        error instanceof ApiError && error.status === 401
          ? { kind: 'signed-out' }
          : {
              kind: 'signed-out',
              message: error instanceof Error ? error.message : 'The server cannot be reached.',
            },
      ),
    );
    return () => setSignedOutHandler(null);
  }, [accept, queryClient]);

  const signOut = useCallback(async () => {
    await api('/api/v2/web-session', { method: 'DELETE' });
    setCsrfToken(null);
    queryClient.clear();
    setStatus({ kind: 'signed-out', message: 'You are signed out.' });
  }, [queryClient]);

  if (status.kind === 'loading') {
    return (
      <div class="state" role="status">
        <span class="spinner" aria-hidden="true" /> Loading…
      </div>
    );
  }
  if (status.kind === 'signed-out') {
    return <>{signIn({ onSignedIn: accept, ...(status.message ? { message: status.message } : {}) })}</>;
  }
  const roles = status.user.roles;
  const state: SessionState = {
    user: status.user,
    isOwner: roles.includes('owner'),
    canReadAll: roles.includes('owner') || roles.includes('auditor'),
    signOut,
  };
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}
