import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { createApiKey, deleteApiKey } from '../store/api-keys.js';
import { createUser } from '../store/users.js';
import { Authenticator } from './authenticate.js';

describeEachDatabase('Authenticator', (getStore, engine) => {
  it('refuses a key deleted elsewhere at its next re-read, though a verified copy is in memory', async () => {
    const { db } = getStore();
    const user = await createUser(db, { username: `revoked-${engine}` });
    if (!user) throw new Error('no user');
    const created = await createApiKey(db, { userId: user.id, tokenName: 'laptop', expiresAt: null });
    if (!created) throw new Error('no key');
    // Re-read on every request: the copy in memory is always stale, as after the cache lifetime.
    const authenticator = new Authenticator({ db, cacheTtlMs: 0 });
    await expect(authenticator.authenticate(created.key)).resolves.toMatchObject({ user: { id: user.id } });
    // Deleted by another server: this one's copy must not outlive the database's answer.
    await deleteApiKey(db, { userId: user.id, id: created.apiKey.id });
    await expect(authenticator.authenticate(created.key)).rejects.toMatchObject({ status: 401 });
  });
});
