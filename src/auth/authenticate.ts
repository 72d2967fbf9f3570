import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import { HttpError } from '../api/http-error.js';
import { noteRequestUser } from '../observability/request-facts.js';
import { type ApiKeyWithHash, findApiKey, touchApiKey } from '../store/api-keys.js';
import type { Database } from '../store/schema.js';
import { findUserById, type User } from '../store/users.js';
import { parseToken, secretMatches } from './tokens.js';

/** Who is calling: the user and the token they used. */
export interface Principal {
  user: User;
  apiKeyId: string;
}

/** Where a bridge token was found. `x-aibridge-token` means the usual auth header holds the user's own key. */
export type TokenSource = 'coder-session-token' | 'authorization' | 'x-api-key' | 'x-aibridge-token';

/**
 * The bridge token of a request. API routes read `Coder-Session-Token` and `Authorization: Bearer`;
 * proxy routes also read `X-AIBridge-Token` (first: BYOK) and `X-Api-Key` (Anthropic SDKs send it there).
 */
export function tokenFromHeaders(
  headers: IncomingHttpHeaders,
  options: { proxy: boolean },
): { token: string; source: TokenSource } | null {
  const single = (name: string): string | undefined => {
    const value = headers[name];
    return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
  };
  if (options.proxy) {
    const byok = single('x-aibridge-token');
    if (byok) return { token: byok, source: 'x-aibridge-token' };
  }
  const session = single('coder-session-token');
  if (session) return { token: session, source: 'coder-session-token' };
  const authorization = single('authorization');
  if (authorization) {
    const match = /^bearer\s+(.+)$/i.exec(authorization);
    if (match?.[1]) return { token: match[1].trim(), source: 'authorization' };
  }
  if (options.proxy) {
    const apiKey = single('x-api-key');
    if (apiKey) return { token: apiKey, source: 'x-api-key' };
  }
  return null;
}

interface CachedKey {
  key: ApiKeyWithHash;
  user: User;
  fetchedAt: number;
}

export const authMessages = {
  missing: 'You must be authenticated to use this endpoint.',
  malformed: 'Invalid API token format.',
  invalid: 'API token is invalid.',
  expired: 'API token has expired.',
  suspended: 'Your account is suspended; ask an owner to activate it.',
} as const;

/**
 * Verifies bridge tokens. Keys are cached for a few seconds so the proxy's hot path rarely touches the
 * database; the secret is still checked against the stored hash (in constant time) on every request.
 * A deleted key stops working on this server at once and on others within the cache lifetime.
 */
export class Authenticator {
  readonly #db: Kysely<Database>;
  readonly #cacheTtlMs: number;
  readonly #cache = new Map<string, CachedKey>();
  readonly #lastTouched = new Map<string, number>();

  constructor(options: { db: Kysely<Database>; cacheTtlMs?: number }) {
    this.#db = options.db;
    this.#cacheTtlMs = options.cacheTtlMs ?? 5000;
  }

  /** The principal of a token, or a 401 HttpError saying what is wrong with it. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new HttpError(401, authMessages.missing);
    const parts = parseToken(token);
    if (!parts)
      throw new HttpError(401, authMessages.malformed, { detail: 'A token has the form <id>-<secret>.' });
    const now = Date.now();
    let cached = this.#cache.get(parts.id);
    if (!cached || now - cached.fetchedAt > this.#cacheTtlMs) {
      cached = await this.#load(parts.id, now);
    }
    if (!cached || !secretMatches(parts.secret, cached.key.hashedSecret)) {
      throw new HttpError(401, authMessages.invalid);
    }
    if (cached.key.expiresAt && cached.key.expiresAt.getTime() <= now) {
      throw new HttpError(401, authMessages.expired, {
        detail: `The token expired at ${cached.key.expiresAt.toISOString()}.`,
      });
    }
    if (cached.user.status !== 'active') throw new HttpError(401, authMessages.suspended);
    this.#touch(parts.id, now);
    noteRequestUser(cached.user.id);
    return { user: cached.user, apiKeyId: parts.id };
  }

  /** Forgets a cached key (after it was deleted or its user changed). */
  forget(keyId: string): void {
    this.#cache.delete(keyId);
  }

  /** Forgets every cached key of a user (after they were suspended, deleted or given other roles). */
  forgetUser(userId: string): void {
    for (const [keyId, entry] of this.#cache) if (entry.user.id === userId) this.forget(keyId);
  }

  async #load(id: string, now: number): Promise<CachedKey | undefined> {
    this.#cache.delete(id);
    const key = await findApiKey(this.#db, id);
    if (!key) return undefined;
    const user = await findUserById(this.#db, key.userId);
    if (!user) return undefined;
    if (this.#cache.size >= 10_000) this.#cache.clear();
    const entry = { key, user, fetchedAt: now };
    this.#cache.set(id, entry);
    return entry;
  }

  /** Updates last_used_at at most once a minute per key, off the request path. */
  #touch(id: string, now: number): void {
    const last = this.#lastTouched.get(id) ?? 0;
    if (now - last < 60_000) return;
    if (this.#lastTouched.size >= 10_000) this.#lastTouched.clear();
    this.#lastTouched.set(id, now);
    touchApiKey(this.#db, id, new Date(now)).catch(() => this.#lastTouched.delete(id));
  }
}
