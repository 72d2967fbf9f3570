import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { parseToken, secretMatches } from '../core/tokens.js';
import { HttpError } from '../http-error.js';
import { noteRequestUser } from '../observability/request-facts.js';
import { apiTokenSlots, proxyTokenSlots } from '../providers/credential-list.js';
import { type CredentialSlot, keyInSlot } from '../providers/credentials.js';
import { type ApiKeyWithHash, findApiKey, touchApiKey } from '../store/api-keys.js';
import { isConnectionError } from '../store/connection-errors.js';
import type { Database } from '../store/schema.js';
import { findUserById, type User } from '../store/users.js';

/** Who is calling: the user and the token they used. */
export interface Principal {
  user: User;
  apiKeyId: string;
}

/** Where a bridge token was found. The BYOK header means the provider's own slot holds the user's key. */
export type TokenSource = CredentialSlot;

/**
 * The bridge token of a request, from the one credential list: API routes read `Coder-Session-Token` and
 * `Authorization: Bearer`; proxy routes read `X-AIBridge-Token` first (BYOK), then every provider's slots
 * (`X-Api-Key`, `X-Goog-Api-Key`, a `key` query parameter…). `query` is the request's query string.
 */
export function tokenFromHeaders(
  headers: IncomingHttpHeaders,
  options: { proxy: boolean; query?: URLSearchParams },
): { token: string; source: TokenSource } | null {
  for (const slot of options.proxy ? proxyTokenSlots : apiTokenSlots) {
    const value = slot.in === 'header' ? headers[slot.name] : options.query?.get(slot.name);
    const first = Array.isArray(value) ? value[0] : value;
    const token = first === undefined || first === null ? undefined : keyInSlot(slot, first);
    if (token !== undefined) return { token, source: slot };
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
  unavailable: 'The bridge cannot verify this token while its database is unreachable; retry shortly.',
} as const;

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  db: Kysely<Database>;
  logger?: Logger;
  /** How long a verified key is trusted before it is read again (revocation takes effect within this). */
  cacheTtlMs?: number;
  /** How long a request waits for that re-read before it is served from the verified copy. */
  refreshTimeoutMs?: number;
  /** After the database failed to answer, how long verified copies are served without asking it again. */
  outageRetryMs?: number;
  /**
   * The oldest verified copy served while the database cannot answer (default one hour): a key deleted
   * during a long outage stops working after this, and so does every other key until the database is back.
   */
  maxStaleMs?: number;
}

/**
 * Verifies bridge tokens. Keys are cached for a few seconds so the proxy's hot path rarely touches the
 * database; the secret is still checked against the stored hash (in constant time) on every request.
 * A deleted key stops working on this server at once and on others within the cache lifetime.
 *
 * While the database is unreachable, keys verified before keep working from memory (a stale copy is
 * served when the re-read fails or is slow), so an outage does not stop the proxy; a key never seen
 * before gets 503, and so does one last verified more than `maxStaleMs` ago. As soon as the database
 * answers again, keys are re-read on the usual schedule.
 */
export class Authenticator {
  readonly #db: Kysely<Database>;
  readonly #logger: Logger | undefined;
  readonly #cacheTtlMs: number;
  readonly #refreshTimeoutMs: number;
  readonly #outageRetryMs: number;
  readonly #maxStaleMs: number;
  /** Insertion-ordered: re-inserted on every load, so the first key is the least recently loaded. */
  readonly #cache = new Map<string, CachedKey>();
  /** One load per key at a time; concurrent requests share it. */
  readonly #loading = new Map<string, Promise<CachedKey | undefined>>();
  readonly #lastTouched = new Map<string, number>();
  /** Until when stale keys are served without asking the database (it failed to answer just before). */
  #unreachableUntil = 0;

  constructor(options: AuthenticatorOptions) {
    this.#db = options.db;
    this.#logger = options.logger;
    this.#cacheTtlMs = options.cacheTtlMs ?? 5000;
    this.#refreshTimeoutMs = options.refreshTimeoutMs ?? 1000;
    this.#outageRetryMs = options.outageRetryMs ?? 1000;
    this.#maxStaleMs = options.maxStaleMs ?? 60 * 60 * 1000;
  }

  /** The principal of a token, or an HttpError (401, or 503 when it cannot be verified now). */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new HttpError(401, authMessages.missing);
    const parts = parseToken(token);
    if (!parts)
      throw new HttpError(401, authMessages.malformed, { detail: 'A token has the form <id>-<secret>.' });
    const now = Date.now();
    let cached = this.#cache.get(parts.id);
    if (!cached || now - cached.fetchedAt > this.#cacheTtlMs) {
      cached = await this.#refresh(parts.id, cached, now);
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

  /**
   * Reads a key again. Without a verified copy the request waits for the database (503 if it cannot
   * answer); with one, it waits at most `refreshTimeoutMs` and falls back to the copy when the database
   * fails or is slow. The read goes on in the background and updates the cache when it lands.
   */
  async #refresh(id: string, cached: CachedKey | undefined, now: number): Promise<CachedKey | undefined> {
    // A copy too old to stand in for the database is as good as none.
    const stale = cached && now - cached.fetchedAt <= this.#maxStaleMs ? cached : undefined;
    if (stale && now < this.#unreachableUntil) return stale;
    const loading = this.#loadOnce(id);
    if (!stale) {
      try {
        return await loading;
      } catch (error) {
        this.#noteFailure(error);
        if (isConnectionError(error)) throw new HttpError(503, authMessages.unavailable);
        throw error;
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), this.#refreshTimeoutMs);
    });
    try {
      const result = await Promise.race([loading, slow]);
      if (result !== 'slow') return result;
      this.#noteFailure(new Error(`no answer within ${this.#refreshTimeoutMs} ms`));
      return stale;
    } catch (error) {
      this.#noteFailure(error);
      return stale;
    } finally {
      clearTimeout(timer);
    }
  }

  #loadOnce(id: string): Promise<CachedKey | undefined> {
    let loading = this.#loading.get(id);
    if (loading === undefined) {
      loading = this.#load(id).finally(() => this.#loading.delete(id));
      // A background read that fails after its callers fell back must not become an unhandled rejection.
      loading.catch(() => {});
      this.#loading.set(id, loading);
    }
    return loading;
  }

  /** Logs the first failure of an outage only, and stops asking the database for a moment. */
  #noteFailure(error: unknown): void {
    const now = Date.now();
    if (now >= this.#unreachableUntil + this.#outageRetryMs) {
      this.#logger?.warn({ err: error }, 'token lookup failed; serving verified tokens from memory');
    }
    this.#unreachableUntil = now + this.#outageRetryMs;
  }

  async #load(id: string): Promise<CachedKey | undefined> {
    const fetchedAt = Date.now();
    const key = await findApiKey(this.#db, id);
    const user = key ? await findUserById(this.#db, key.userId) : undefined;
    this.#cache.delete(id);
    if (!key || !user) return undefined;
    while (this.#cache.size >= 10_000) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
    const entry = { key, user, fetchedAt };
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
