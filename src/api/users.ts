import type { FastifyInstance } from 'fastify';
import { isUuid } from '../core/ids.js';
import { badRequest, HttpError, notFound, type Validation } from '../http-error.js';
import {
  countOtherActiveOwners,
  createUser,
  deleteUser,
  type ElevatedRole,
  elevatedRoles,
  findUserById,
  findUserByUsername,
  listUsers,
  maxUsernameLength,
  setUserRoles,
  setUserStatus,
  type User,
  usernamePattern,
} from '../store/users.js';
import type { ApiContext } from './api-context.js';
import { canReadAll, requireOwner, requireUser } from './require-user.js';

/** The JSON form of a user. */
export function userJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    email: user.email,
    avatar_url: user.avatarUrl,
    roles: user.roles,
    status: user.status,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

/**
 * Resolves `{user}` (an id, a username or `me`) to a user the caller may see; 404 otherwise, so a member
 * cannot learn whether another user exists.
 */
export async function resolveUserParam(context: ApiContext, caller: User, param: string): Promise<User> {
  let user: User | null;
  if (param === 'me') user = caller;
  else if (isUuid(param)) user = await findUserById(context.store.db, param.toLowerCase());
  else user = await findUserByUsername(context.store.db, param);
  if (!user || user.status === 'deleted' || (user.id !== caller.id && !canReadAll(caller))) {
    throw notFound('User not found.');
  }
  return user;
}

function parseNewUser(body: unknown) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object.');
  }
  const fields = body as Record<string, unknown>;
  const validations: Validation[] = [];
  const optionalText = (field: string): string | undefined => {
    const value = fields[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') validations.push({ field, detail: 'must be a string' });
    return typeof value === 'string' ? value : undefined;
  };
  for (const key of Object.keys(fields)) {
    if (!['username', 'name', 'email', 'avatar_url', 'roles'].includes(key)) {
      validations.push({ field: key, detail: 'unknown field' });
    }
  }
  const username = fields.username;
  if (typeof username !== 'string' || username.length === 0) {
    validations.push({ field: 'username', detail: 'is required' });
  } else if (username.length > maxUsernameLength || !usernamePattern.test(username)) {
    validations.push({
      field: 'username',
      detail: 'must be 1-32 letters or digits, in words joined by single dashes',
    });
  } else if (username.toLowerCase() === 'me') {
    validations.push({ field: 'username', detail: '"me" is reserved' });
  }
  const name = optionalText('name');
  const email = optionalText('email');
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email))
    validations.push({ field: 'email', detail: 'is not an email address' });
  const avatarUrl = optionalText('avatar_url');
  if (avatarUrl && !/^https?:\/\/\S+$/.test(avatarUrl)) {
    validations.push({ field: 'avatar_url', detail: 'must be an http(s) URL' });
  }
  let roles: ElevatedRole[] = [];
  if (fields.roles !== undefined && fields.roles !== null) {
    if (!Array.isArray(fields.roles) || fields.roles.some((role) => !elevatedRoles.includes(role))) {
      validations.push({ field: 'roles', detail: 'must be a list of "owner" and "auditor"' });
    } else {
      roles = [...new Set(fields.roles as ElevatedRole[])];
    }
  }
  if (validations.length > 0) throw badRequest('Invalid user.', validations);
  return {
    username: username as string,
    roles,
    ...(name === undefined ? {} : { name }),
    ...(email === undefined ? {} : { email }),
    ...(avatarUrl === undefined ? {} : { avatarUrl }),
  };
}

/** The users routes: owners create users, owners and auditors list them, a user shows one (and its roles route). */
export async function registerUserRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  app.post('/api/v2/users', async (request, reply) => {
    const { user: caller } = await requireUser(request, context);
    requireOwner(caller);
    const input = parseNewUser(request.body);
    const user = await createUser(context.store.db, input);
    if (!user) {
      throw new HttpError(409, `A user named "${input.username}" already exists.`, {
        validations: [{ field: 'username', detail: 'is taken' }],
      });
    }
    return reply.status(201).send(userJson(user));
  });

  app.get('/api/v2/users', async (request) => {
    const { user: caller } = await requireUser(request, context);
    if (!canReadAll(caller)) throw new HttpError(403, 'Only owners and auditors can list users.');
    const users = await listUsers(context.store.db);
    return { users: users.map(userJson), count: users.length };
  });

  app.get<{ Params: { user: string } }>('/api/v2/users/:user', async (request) => {
    const { user: caller } = await requireUser(request, context);
    return userJson(await resolveUserParam(context, caller, request.params.user));
  });

  /** Resolves the target of an owner's change to another user, keeping at least one active owner. */
  const ownerChange = async (
    request: { params: { user: string } } & Parameters<typeof requireUser>[0],
    change: { removesOwner: boolean; action: string },
  ): Promise<User> => {
    const { user: caller } = await requireUser(request, context);
    requireOwner(caller);
    const target = await resolveUserParam(context, caller, request.params.user);
    if (change.removesOwner && target.roles.includes('owner')) {
      if ((await countOtherActiveOwners(context.store.db, target.id)) === 0) {
        throw new HttpError(409, `Cannot ${change.action} the last active owner.`, {
          detail: 'Make another user an owner first.',
        });
      }
    }
    return target;
  };

  app.put<{ Params: { user: string; status: string } }>(
    '/api/v2/users/:user/status/:status',
    async (request) => {
      const status = { suspend: 'suspended', activate: 'active' }[request.params.status];
      if (status !== 'suspended' && status !== 'active') {
        throw notFound(`Unknown status change "${request.params.status}": use suspend or activate.`);
      }
      const target = await ownerChange(request, { removesOwner: status === 'suspended', action: 'suspend' });
      const updated = await setUserStatus(context.store.db, { id: target.id, status });
      if (!updated) throw notFound('User not found.');
      context.authenticator.forgetUser(target.id);
      return userJson(updated);
    },
  );

  app.put<{ Params: { user: string } }>('/api/v2/users/:user/roles', async (request) => {
    const roles = parseRoles(request.body);
    const target = await ownerChange(request, { removesOwner: !roles.includes('owner'), action: 'demote' });
    const updated = await setUserRoles(context.store.db, { id: target.id, roles });
    if (!updated) throw notFound('User not found.');
    // Checked again in the update itself: two owners demoting each other at once cannot both succeed.
    if (updated === 'last-owner') {
      throw new HttpError(409, 'Cannot demote the last active owner.', {
        detail: 'Make another user an owner first.',
      });
    }
    context.authenticator.forgetUser(target.id);
    return userJson(updated);
  });

  app.delete<{ Params: { user: string } }>('/api/v2/users/:user', async (request, reply) => {
    const target = await ownerChange(request, { removesOwner: true, action: 'delete' });
    if (!(await deleteUser(context.store.db, target.id))) throw notFound('User not found.');
    context.authenticator.forgetUser(target.id);
    return reply.status(204).send();
  });
}

function parseRoles(body: unknown): ElevatedRole[] {
  const roles = (body as { roles?: unknown } | null)?.roles;
  const keys = body !== null && typeof body === 'object' ? Object.keys(body) : [];
  const unknown = keys.filter((key) => key !== 'roles');
  if (
    unknown.length > 0 ||
    !Array.isArray(roles) ||
    roles.some((role) => !elevatedRoles.includes(role as ElevatedRole))
  ) {
    throw badRequest('Invalid roles.', [
      ...unknown.map((field) => ({ field, detail: 'unknown field' })),
      ...(Array.isArray(roles) && roles.every((role) => elevatedRoles.includes(role as ElevatedRole))
        ? []
        : [{ field: 'roles', detail: 'must be a list of "owner" and "auditor" (empty: member)' }]),
    ]);
  }
  return [...new Set(roles as ElevatedRole[])];
}
