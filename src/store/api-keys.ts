import type { Kysely } from 'kysely';
import { generateToken, hashSecret } from '../core/tokens.js';
import type { Database } from './schema.js';

/** An API token's stored description (never its secret). */
export interface ApiKey {
  id: string;
  userId: string;
  tokenName: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

/** What authentication needs: the key, its hash and its owner. */
export interface ApiKeyWithHash extends ApiKey {
  hashedSecret: Buffer;
}

type Row = {
  id: string;
  user_id: string;
  token_name: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
};

const toApiKey = (row: Row): ApiKey => ({
  id: row.id,
  userId: row.user_id,
  tokenName: row.token_name,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
});

/** Creates a token for a user; returns the full token (shown once) or null when the name is taken. */
export async function createApiKey(
  db: Kysely<Database>,
  input: { userId: string; tokenName: string; expiresAt: Date | null },
): Promise<{ key: string; apiKey: ApiKey } | null> {
  const { id, secret, token } = generateToken();
  const row = await db
    .insertInto('api_keys')
    .values({
      id,
      user_id: input.userId,
      token_name: input.tokenName,
      hashed_secret: hashSecret(secret),
      created_at: new Date(),
      expires_at: input.expiresAt,
    })
    .onConflict((conflict) => conflict.columns(['user_id', 'token_name']).doNothing())
    .returning(['id', 'user_id', 'token_name', 'created_at', 'expires_at', 'last_used_at'])
    .executeTakeFirst();
  return row ? { key: token, apiKey: toApiKey(row) } : null;
}

/** A user's tokens, oldest first. */
export async function listApiKeys(db: Kysely<Database>, userId: string): Promise<ApiKey[]> {
  const rows = await db
    .selectFrom('api_keys')
    .select(['id', 'user_id', 'token_name', 'created_at', 'expires_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toApiKey);
}

/** The key with its hash, for authentication. */
export async function findApiKey(db: Kysely<Database>, id: string): Promise<ApiKeyWithHash | null> {
  const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...toApiKey(row), hashedSecret: row.hashed_secret } : null;
}

/** Deletes a user's token; false when the user has no such token. */
export async function deleteApiKey(
  db: Kysely<Database>,
  input: { userId: string; id: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('api_keys')
    .where('id', '=', input.id)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Records that a key was used (throttled by the caller). */
export async function touchApiKey(db: Kysely<Database>, id: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}
