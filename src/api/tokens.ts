import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../config/parse-values.js';
import type { ServerContext } from '../server/context.js';
import { type ApiKey, createApiKey, deleteApiKey, listApiKeys } from '../store/api-keys.js';
import type { User } from '../store/users.js';
import { badRequest, forbidden, HttpError, notFound, type Validation } from './http-error.js';
import { requireUser } from './require-user.js';
import { resolveUserParam } from './users.js';

/** The JSON form of a token's description. */
export function apiKeyJson(key: ApiKey) {
  return {
    id: key.id,
    user_id: key.userId,
    token_name: key.tokenName,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt ? key.expiresAt.toISOString() : null,
    last_used: key.lastUsedAt ? key.lastUsedAt.toISOString() : null,
  };
}

const tokenNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

/** The longest token lifetime: beyond it an expiry is meaningless, and far beyond it not even a date. */
const maxLifetimeMs = 10 * 366 * 86_400_000;

/**
 * A lifetime in milliseconds: a duration string, or (as in Coder's API) an integer number of nanoseconds;
 * null when it is not one, not positive, or longer than ten years.
 */
function lifetimeMilliseconds(lifetime: unknown): number | null {
  let milliseconds = Number.NaN;
  if (typeof lifetime === 'number' && Number.isSafeInteger(lifetime)) milliseconds = lifetime / 1e6;
  else if (typeof lifetime === 'string') {
    try {
      milliseconds = parseDuration(lifetime);
    } catch {}
  }
  return milliseconds > 0 && milliseconds <= maxLifetimeMs ? milliseconds : null;
}

/**
 * `{token_name?, lifetime?}`; lifetime is a duration string (`30d`, `12h`) or, as in Coder's API, a number
 * of nanoseconds. Returns the name and the expiry (null: never).
 */
function parseNewToken(body: unknown, now: number): { tokenName: string; expiresAt: Date | null } {
  const fields = body === undefined || body === null ? {} : body;
  if (typeof fields !== 'object' || Array.isArray(fields))
    throw badRequest('Request body must be a JSON object.');
  const record = fields as Record<string, unknown>;
  const validations: Validation[] = [];
  for (const key of Object.keys(record)) {
    if (!['token_name', 'lifetime'].includes(key)) validations.push({ field: key, detail: 'unknown field' });
  }
  let tokenName = `token-${now.toString(36)}`;
  if (record.token_name !== undefined && record.token_name !== '') {
    if (typeof record.token_name !== 'string' || !tokenNamePattern.test(record.token_name)) {
      validations.push({
        field: 'token_name',
        detail: 'must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
      });
    } else tokenName = record.token_name;
  }
  let expiresAt: Date | null = null;
  const lifetime = record.lifetime;
  if (lifetime !== undefined && lifetime !== null && lifetime !== 0) {
    const milliseconds = lifetimeMilliseconds(lifetime);
    if (milliseconds === null) {
      validations.push({
        field: 'lifetime',
        detail: 'must be a positive duration of at most 10 years, such as "30d" or "12h", or nanoseconds',
      });
    } else expiresAt = new Date(now + milliseconds);
  }
  if (validations.length > 0) throw badRequest('Invalid token request.', validations);
  return { tokenName, expiresAt };
}

/** Members manage only their own tokens; owners manage anyone's; auditors may list anyone's. */
function requireTokenAccess(caller: User, target: User, write: boolean): void {
  if (caller.id === target.id || caller.roles.includes('owner')) return;
  if (!write && caller.roles.includes('auditor')) return;
  throw forbidden("Only owners can manage another user's tokens.");
}

/** The token routes of SPEC §3. */
export async function registerTokenRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.post<{ Params: { user: string } }>('/api/v2/users/:user/keys/tokens', async (request, reply) => {
    const { user: caller } = await requireUser(request, context);
    const target = await resolveUserParam(context, caller, request.params.user);
    requireTokenAccess(caller, target, true);
    const input = parseNewToken(request.body, Date.now());
    const created = await createApiKey(context.store.db, { userId: target.id, ...input });
    if (!created) {
      throw new HttpError(409, `A token named "${input.tokenName}" already exists for this user.`, {
        validations: [{ field: 'token_name', detail: 'is taken' }],
      });
    }
    return reply.status(201).send({ key: created.key });
  });

  app.get<{ Params: { user: string } }>('/api/v2/users/:user/keys/tokens', async (request) => {
    const { user: caller } = await requireUser(request, context);
    const target = await resolveUserParam(context, caller, request.params.user);
    requireTokenAccess(caller, target, false);
    return (await listApiKeys(context.store.db, target.id)).map(apiKeyJson);
  });

  app.delete<{ Params: { user: string; id: string } }>(
    '/api/v2/users/:user/keys/:id',
    async (request, reply) => {
      const { user: caller } = await requireUser(request, context);
      const target = await resolveUserParam(context, caller, request.params.user);
      requireTokenAccess(caller, target, true);
      const deleted = await deleteApiKey(context.store.db, { userId: target.id, id: request.params.id });
      if (!deleted) throw notFound('Token not found.');
      context.authenticator.forget(request.params.id);
      return reply.status(204).send();
    },
  );
}
