import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { createApiKey } from '../store/api-keys.js';
import type { Store } from '../store/open-store.js';
import { createUser } from '../store/users.js';

/**
 * On first start against an empty database, creates the owner `admin` with a token, writes the token to
 * `tokenFile` (mode 0600). Servers starting at once agree through an advisory lock, so
 * exactly one creates the owner. Returns the token when this call created it.
 */
export async function bootstrapAdmin(input: {
  store: Store;
  tokenFile: string;
  logger: Logger;
}): Promise<string | null> {
  const token = await input.store.db.transaction().execute(async (transaction) => {
    await sql`SELECT pg_advisory_xact_lock(${0x41494273})`.execute(transaction);
    const existing = await transaction.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (existing) return null;
    const admin = await createUser(transaction, {
      username: 'admin',
      name: 'Administrator',
      roles: ['owner'],
    });
    if (!admin) return null;
    const created = await createApiKey(transaction, {
      userId: admin.id,
      tokenName: 'admin',
      expiresAt: null,
    });
    return created?.key ?? null;
  });
  if (!token) return null;
  mkdirSync(dirname(input.tokenFile), { recursive: true });
  writeFileSync(input.tokenFile, `${token}\n`, { mode: 0o600 });
  // The token itself is never logged (logs are shipped to aggregators): the caller shows it once on the
  // terminal, and it stays in the token file.
  return token;
}
