import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/open-store.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './reliability/throwaway-postgres.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('readiness across a database outage (PostgreSQL mode)', () => {
  let cluster: ThrowawayPostgres;
  let store: Store;
  let server: TestServer;
  const readyz = async () => {
    const response = await fetch(`${server.url}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    store = await openStore({ databaseUrl: cluster.url, poolSize: 2 });
    server = await startTestServer({ store });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    await cluster?.dispose();
  });

  it('answers 200 while the database answers and every migration is applied', async () => {
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', migrations: 'ok' } },
    });
  });

  it('answers 503 naming the database while it is down, and 200 again once it is back; /healthz stays 200', async () => {
    await cluster.stop();
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', failing: 'database' });
    expect(String((down.body.checks as { database: string }).database)).toMatch(/^unreachable: /);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await cluster.start();
    expect((await readyz()).status).toBe(200);
  });

  it('answers 503 naming the migrations while one is pending', async () => {
    const removed = await sql<{ version: number; name: string }>`
      DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)
      RETURNING version, name`.execute(store.db);
    const migration = removed.rows[0];
    if (!migration) throw new Error('no migration recorded');
    try {
      const pending = await readyz();
      expect(pending).toEqual({
        status: 503,
        body: {
          status: 'unavailable',
          failing: 'migrations',
          checks: { database: 'ok', migrations: `pending: ${migration.version} ${migration.name}` },
        },
      });
    } finally {
      await sql`INSERT INTO schema_migrations (version, name) VALUES (${migration.version}, ${migration.name})`.execute(
        store.db,
      );
    }
    expect((await readyz()).status).toBe(200);
  });
});
