/**
 * Recovery of owner access from the database, for `aibridge server create-admin`: tokens are stored
 * hashed, so a lost one cannot be read back; this makes a new token for an owner instead.
 */
import type { Kysely } from 'kysely';
import { createApiKey } from '../store/api-keys.js';
import type { Database } from '../store/schema.js';
import {
  createUser,
  findUserByUsername,
  maxUsernameLength,
  setUserRoles,
  setUserStatus,
  usernamePattern,
} from '../store/users.js';

export { openConfiguredStore as openAdminStore } from './run-server.js';

/**
 * Makes `username` an active owner (creating the user when missing, or when only a deleted user had that
 * name) and returns a new token for them. Returns null when the name is not a valid username.
 */
export async function recoverOwnerToken(
  db: Kysely<Database>,
  input: { username: string; now?: Date },
): Promise<{ username: string; token: string; created: boolean } | null> {
  if (!usernamePattern.test(input.username) || input.username.length > maxUsernameLength) return null;
  return db.transaction().execute(async (transaction) => {
    const found = await findUserByUsername(transaction, input.username);
    let user = found && found.status !== 'deleted' ? found : null;
    const created = user === null;
    if (user === null) {
      user = await createUser(transaction, { username: input.username, roles: ['owner'] });
      if (!user) return null;
    } else {
      if (!user.roles.includes('owner')) {
        const promoted = await setUserRoles(transaction, { id: user.id, roles: [...user.roles, 'owner'] });
        // Adding the owner role never trips the last-owner rule, so this is the user or null.
        if (promoted !== null && promoted !== 'last-owner') user = promoted;
      }
      if (user.status !== 'active')
        user = (await setUserStatus(transaction, { id: user.id, status: 'active' })) ?? user;
    }
    const now = input.now ?? new Date();
    const key = await createApiKey(transaction, {
      userId: user.id,
      tokenName: `recovered-${now.toISOString().replace(/[:.]/g, '-')}`,
      expiresAt: null,
    });
    if (!key) return null;
    return { username: user.username, token: key.key, created };
  });
}
