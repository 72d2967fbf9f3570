import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/authenticate.js';
import { tokenFromHeaders } from '../auth/authenticate.js';
import type { ServerContext } from '../server/context.js';
import type { User } from '../store/users.js';
import { forbidden } from './http-error.js';

/** Authenticates an API request (Coder-Session-Token or Authorization: Bearer); throws 401. */
export function requireUser(request: FastifyRequest, context: ServerContext): Promise<Principal> {
  return context.authenticator.authenticate(tokenFromHeaders(request.headers, { proxy: false })?.token);
}

/** Whether a user may read every user's records (owners and auditors). */
export function canReadAll(user: User): boolean {
  return user.roles.includes('owner') || user.roles.includes('auditor');
}

/** Throws 403 unless the user is an owner. */
export function requireOwner(user: User): void {
  if (!user.roles.includes('owner')) throw forbidden('Only owners can do this.');
}
