/**
 * Browser sign-ins (migration 0008). A session row is keyed by the SHA-256 of the cookie's secret and
 * belongs to the API token it was opened with: it is valid while that token exists and has not expired,
 * and at most until its own expiry. Rows live in the database so every server sharing it honours them.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';
import { findUserById, type User } from './users.js';

/** A valid web session: its user and the token it stands for. */
export interface WebSession {
  user: User;
  apiKeyId: string;
  expiresAt: Date;
}

/** Stores a new session; expired sessions are removed on the way (sign-ins are rare, the table small). */
export async function insertWebSession(
  db: Kysely<Database>,
  input: { secretHash: Buffer; userId: string; apiKeyId: string; expiresAt: Date },
): Promise<void> {
  const now = new Date();
  await db.deleteFrom('web_sessions').where('expires_at', '<=', now).execute();
  await db
    .insertInto('web_sessions')
    .values({
      secret_hash: input.secretHash,
      user_id: input.userId,
      api_key_id: input.apiKeyId,
      created_at: now,
      expires_at: input.expiresAt,
    })
    .execute();
}

/** The session with this secret hash, or null when there is none, it expired, or its token did. */
export async function findWebSession(db: Kysely<Database>, secretHash: Buffer): Promise<WebSession | null> {
  const row = await db
    .selectFrom('web_sessions as w')
    .innerJoin('api_keys as k', 'k.id', 'w.api_key_id')
    .select(['w.user_id', 'w.api_key_id', 'w.expires_at'])
    .where('w.secret_hash', '=', secretHash)
    .where('w.expires_at', '>', sql<Date>`now()`)
    .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
  if (!row) return null;
  const user = await findUserById(db, row.user_id);
  return user ? { user, apiKeyId: row.api_key_id, expiresAt: row.expires_at } : null;
}

/** Deletes a session; true when it existed. */
export async function deleteWebSession(db: Kysely<Database>, secretHash: Buffer): Promise<boolean> {
  const result = await db.deleteFrom('web_sessions').where('secret_hash', '=', secretHash).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
