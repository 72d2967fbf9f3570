/**
 * The dashboard's sign-in: `POST /api/v2/web-session {token}` opens a session and sets its cookie,
 * `GET` tells the page who is signed in (and its CSRF token), `DELETE` signs out. The token itself is
 * checked like any API token and never stored by the browser. Failed sign-ins are limited per remote
 * address (sign-in-limit.ts): past the limit the answer is 429 with `Retry-After`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticateWebSession,
  cameOverHttps,
  csrfTokenOf,
  hashSessionSecret,
  newSessionSecret,
  requireSameOrigin,
  sessionCookie,
  sessionSecretFromHeaders,
  webSessionLifetimeMs,
} from '../auth/web-session.js';
import { badRequest, HttpError, unauthorized } from '../http-error.js';
import { findApiKey } from '../store/api-keys.js';
import type { User } from '../store/users.js';
import { deleteWebSession, insertWebSession } from '../store/web-sessions.js';
import type { ApiContext } from './api-context.js';
import { SignInLimit, type SignInLimitOptions } from './sign-in-limit.js';
import { userJson } from './users.js';

const path = '/api/v2/web-session';

function sessionJson(input: { user: User; secret: string; expiresAt: Date }) {
  return {
    user: userJson(input.user),
    csrf_token: csrfTokenOf(input.secret),
    expires_at: input.expiresAt.toISOString(),
  };
}

function setCookie(request: FastifyRequest, reply: FastifyReply, secret: string | null, expiresAt: Date) {
  const maxAgeSeconds = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  reply.header('set-cookie', sessionCookie({ secret, maxAgeSeconds, secure: cameOverHttps(request) }));
  // A sign-in answer must never be kept by a shared cache.
  reply.header('cache-control', 'no-store');
}

/** Registers the web session routes. */
export async function registerWebSessionRoutes(
  app: FastifyInstance,
  context: ApiContext,
  options: { signInLimit?: Partial<SignInLimitOptions> } = {},
): Promise<void> {
  const db = context.store.db;
  const limit = new SignInLimit(options.signInLimit);

  app.post(path, async (request, reply) => {
    // A cross-site form could otherwise sign the victim in as the attacker.
    requireSameOrigin(request.headers);
    const body = request.body;
    const token =
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>).token
        : undefined;
    if (typeof token !== 'string' || token.trim() === '') {
      throw badRequest('A token is required to sign in.', [
        { field: 'token', detail: 'must be your API token' },
      ]);
    }
    // Checked before the token, so that a blocked address learns nothing about the tokens it tries.
    const waitMs = limit.retryAfterMs(request.ip);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      return reply
        .status(429)
        .header('retry-after', String(seconds))
        .header('cache-control', 'no-store')
        .send({
          message: `Too many failed sign-ins from your address. Try again in ${seconds} s.`,
          detail: 'Sign-ins are paused after several wrong tokens in a minute.',
        });
    }
    const signedIn = await (async () => {
      const principal = await context.authenticator.authenticate(token.trim());
      const key = await findApiKey(db, principal.apiKeyId);
      if (!key) throw unauthorized('API token is invalid.');
      return { principal, key };
    })().catch((error: unknown) => {
      if (error instanceof HttpError && error.status === 401) limit.recordFailure(request.ip);
      throw error;
    });
    const { principal, key } = signedIn;
    const lifetimeEnd = Date.now() + webSessionLifetimeMs;
    const expiresAt = new Date(Math.min(lifetimeEnd, key.expiresAt?.getTime() ?? lifetimeEnd));
    const secret = newSessionSecret();
    await insertWebSession(db, {
      secretHash: hashSessionSecret(secret),
      userId: principal.user.id,
      apiKeyId: principal.apiKeyId,
      expiresAt,
    });
    setCookie(request, reply, secret, expiresAt);
    return reply.status(201).send(sessionJson({ user: principal.user, secret, expiresAt }));
  });

  app.get(path, async (request, reply) => {
    const secret = sessionSecretFromHeaders(request.headers);
    if (secret === undefined) throw unauthorized('You are not signed in.');
    const session = await authenticateWebSession({ db, secret, method: 'GET', headers: request.headers });
    reply.header('cache-control', 'no-store');
    return sessionJson({ user: session.user, secret, expiresAt: session.expiresAt });
  });

  app.delete(path, async (request, reply) => {
    const secret = sessionSecretFromHeaders(request.headers);
    if (secret !== undefined) {
      await authenticateWebSession({ db, secret, method: 'DELETE', headers: request.headers }).then(
        () => deleteWebSession(db, hashSessionSecret(secret)),
        (error: unknown) => {
          // An ended session signs out as well; a failed CSRF check does not.
          if (error instanceof HttpError && error.status === 401) return false;
          throw error;
        },
      );
    }
    setCookie(request, reply, null, new Date(0));
    return reply.status(204).send();
  });
}
