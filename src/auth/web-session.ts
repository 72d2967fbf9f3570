/**
 * Browser sign-in: a bridge token is exchanged for a server-side session whose secret travels only in an
 * `HttpOnly`, `SameSite=Strict` cookie (`Secure` over HTTPS). Requests authenticated by that cookie must
 * also prove they come from the dashboard itself before they change anything: they carry the session's
 * CSRF token in `X-CSRF-Token` (the page learns it from a same-origin read the browser forbids to other
 * sites), and an `Origin` header, when sent, must name this server. Token-authenticated requests are not
 * affected: a browser never adds a token header on its own.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import { HttpError } from '../http-error.js';
import type { Database } from '../store/schema.js';
import { findWebSession, type WebSession } from '../store/web-sessions.js';

export const sessionCookieName = 'aibridge_session';
export const csrfHeaderName = 'x-csrf-token';
/** How long a sign-in lasts at most (never beyond the token's own expiry). */
export const webSessionLifetimeMs = 7 * 86_400_000;

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A fresh cookie secret (256 random bits, base64url). */
export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a secret. */
export function hashSessionSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * The CSRF token of a session, derived from its secret: nothing more to store, and it can only be
 * computed by someone who holds the cookie's secret (the server) — never from what the database keeps.
 */
export function csrfTokenOf(secret: string): string {
  return createHmac('sha256', secret).update('aibridge-csrf').digest('base64url');
}

/** The session secret in a request's `Cookie` header, if any. */
export function sessionSecretFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() !== sessionCookieName) continue;
    const value = part.slice(separator + 1).trim();
    return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** `Set-Cookie` for a session (`secret` null clears it). */
export function sessionCookie(input: {
  secret: string | null;
  maxAgeSeconds: number;
  secure: boolean;
}): string {
  const attributes = [
    `${sessionCookieName}=${input.secret ?? ''}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${input.secret === null ? 0 : input.maxAgeSeconds}`,
  ];
  if (input.secure) attributes.push('Secure');
  return attributes.join('; ');
}

/** Whether the request came over HTTPS, directly or through a TLS-terminating proxy. */
export function cameOverHttps(input: { protocol: string; headers: IncomingHttpHeaders }): boolean {
  const forwarded = input.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return input.protocol === 'https' || first === 'https';
}

/**
 * Refuses a cross-site request: an `Origin` header (browsers send it on every state-changing request)
 * must name the host the request was sent to.
 */
export function requireSameOrigin(headers: IncomingHttpHeaders): void {
  const origin = headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = origin === 'null' ? null : new URL(origin).host;
  } catch {}
  const forwardedHost = headers['x-forwarded-host'];
  const hosts = [headers.host, ...(Array.isArray(forwardedHost) ? forwardedHost : [forwardedHost])];
  if (host === null || !hosts.includes(host)) {
    throw new HttpError(403, 'Cross-site request refused.', {
      detail: `Origin ${origin} is not this server.`,
    });
  }
}

/** The session of a cookie secret for a request, or a 401/403 HttpError saying what is wrong. */
export async function authenticateWebSession(input: {
  db: Kysely<Database>;
  secret: string;
  method: string;
  headers: IncomingHttpHeaders;
}): Promise<WebSession> {
  const session = await findWebSession(input.db, hashSessionSecret(input.secret));
  if (!session) {
    throw new HttpError(401, 'Your session has ended.', { detail: 'Sign in again with your token.' });
  }
  if (!safeMethods.has(input.method.toUpperCase())) {
    requireSameOrigin(input.headers);
    const sent = input.headers[csrfHeaderName];
    const expected = Buffer.from(csrfTokenOf(input.secret));
    const given = Buffer.from(typeof sent === 'string' ? sent : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpError(403, 'Missing or wrong CSRF token.', {
        detail: `Requests signed in with the session cookie must send its ${csrfHeaderName} header.`,
      });
    }
  }
  return session;
}
