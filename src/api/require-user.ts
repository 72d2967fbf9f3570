import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/authenticate.js';
import { tokenFromHeaders } from '../auth/authenticate.js';
import { authenticateWebSession, sessionSecretFromHeaders } from '../auth/web-session.js';
import { forbidden } from '../http-error.js';
import type { User } from '../store/users.js';
import type { ApiContext } from './api-context.js';

/**
 * Authenticates an API request: a token (Coder-Session-Token or Authorization: Bearer) when one is sent,
 * else the dashboard's session cookie (with its CSRF checks on state-changing methods); throws 401.
 */
export async function requireUser(request: FastifyRequest, context: ApiContext): Promise<Principal> {
  const token = tokenFromHeaders(request.headers, { proxy: false })?.token;
  const secret = token === undefined ? sessionSecretFromHeaders(request.headers) : undefined;
  if (secret === undefined) return context.authenticator.authenticate(token);
  const session = await authenticateWebSession({
    db: context.store.db,
    secret,
    method: request.method,
    headers: request.headers,
  });
  return { user: session.user, apiKeyId: session.apiKeyId };
}

/** Whether a user may read every user's records (owners and auditors). */
export function canReadAll(user: User): boolean {
  return user.roles.includes('owner') || user.roles.includes('auditor');
}

/** Throws 403 unless the user is an owner. */
export function requireOwner(user: User): void {
  if (!user.roles.includes('owner')) throw forbidden('Only owners can do this.');
}
