import type { KyselyPlugin } from 'kysely';
import { afterEach, expect, it, vi } from 'vitest';
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

  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves a verified copy while the database is unreachable, but not one older than maxStaleMs', async () => {
    const { db } = getStore();
    const user = await createUser(db, { username: `outage-${engine}` });
    if (!user) throw new Error('no user');
    const created = await createApiKey(db, { userId: user.id, tokenName: 'laptop', expiresAt: null });
    if (!created) throw new Error('no key');
    // Every statement fails as a refused connection would, while `down` is set.
    let down = false;
    const outage: KyselyPlugin = {
      transformQuery: (args) => {
        if (down)
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-26T12:00:00Z') });
    const authenticator = new Authenticator({
      db: db.withPlugin(outage),
      cacheTtlMs: 5000,
      outageRetryMs: 0,
      maxStaleMs: 60 * 60 * 1000,
    });
    await expect(authenticator.authenticate(created.key)).resolves.toMatchObject({ user: { id: user.id } });
    down = true;
    vi.setSystemTime(new Date('2026-11-26T12:59:00Z'));
    await expect(authenticator.authenticate(created.key)).resolves.toMatchObject({ user: { id: user.id } });
    vi.setSystemTime(new Date('2026-11-26T13:00:01Z'));
    await expect(authenticator.authenticate(created.key)).rejects.toMatchObject({ status: 503 });
    // Back: the key is read again and works.
    down = false;
    await expect(authenticator.authenticate(created.key)).resolves.toMatchObject({ user: { id: user.id } });
  });
});
