/** `PUT /api/v2/users/{user}/roles {roles}`: owners change a user's roles (as in Coder's API). */
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../http-error.js';
import { type ElevatedRole, elevatedRoles, setUserRoles } from '../store/users.js';
import type { ApiContext } from './api-context.js';
import { requireOwner, requireUser } from './require-user.js';
import { resolveUserParam, userJson } from './users.js';

function parseRoles(body: unknown): ElevatedRole[] {
  const roles =
    body !== null && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>).roles
      : undefined;
  if (!Array.isArray(roles) || roles.some((role) => !elevatedRoles.includes(role))) {
    throw badRequest('Invalid roles.', [
      { field: 'roles', detail: 'must be a list of "owner" and "auditor" (empty: member)' },
    ]);
  }
  return [...new Set(roles as ElevatedRole[])].sort();
}

/** Registers the roles route. */
export function registerUserRolesRoute(app: FastifyInstance, context: ApiContext): void {
  app.put<{ Params: { user: string } }>('/api/v2/users/:user/roles', async (request) => {
    const { user: caller } = await requireUser(request, context);
    requireOwner(caller);
    const target = await resolveUserParam(context, caller, request.params.user);
    const roles = parseRoles(request.body);
    const updated = await setUserRoles(context.store.db, { id: target.id, roles });
    if (updated === null) throw notFound('User not found.');
    if (updated === 'last-owner') {
      throw badRequest('At least one owner must remain.', [
        { field: 'roles', detail: `${target.username} is the last owner` },
      ]);
    }
    return userJson(updated);
  });
}
