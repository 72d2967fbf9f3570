import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore, type Store } from '../../src/store/open-store.js';
import { copyTemplate } from './pglite-template.js';

/** The engines a store test runs on: PGlite always, PostgreSQL when AIBRIDGE_TEST_DATABASE_URL is set. */
export type Engine = 'pglite' | 'postgres';

export const testDatabaseUrl = process.env.AIBRIDGE_TEST_DATABASE_URL;

export function testEngines(): Engine[] {
  return testDatabaseUrl ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * A database of its own on the test PostgreSQL server, for a server process to own whole (its migrations,
 * its owner); `drop()` removes it. Fails loudly when the test server is not set.
 */
export async function createScratchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testDatabaseUrl) throw new Error('AIBRIDGE_TEST_DATABASE_URL is not set');
  const name = `${prefix}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A migrated store of its own: a copy of the PGlite template, or a fresh schema on PostgreSQL. */
export async function openTestStore(engine: Engine): Promise<{ store: Store; dispose(): Promise<void> }> {
  if (engine === 'pglite') {
    const directory = copyTemplate();
    const store = await openStore({ dataDir: directory });
    return {
      store,
      dispose: async () => {
        await store.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  if (!testDatabaseUrl) throw new Error('AIBRIDGE_TEST_DATABASE_URL is not set');
  const schema = `test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const store = await openStore({ databaseUrl: testDatabaseUrl, schema });
  return {
    store,
    dispose: async () => {
      await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(store.db);
      await store.close();
    },
  };
}

/**
 * Runs a describe block once per engine (`[pglite]`, `[postgres]` in the name), each with a store of its
 * own shared by the block's tests. A PostgreSQL that cannot be reached fails the block loudly.
 */
export function describeEachDatabase(
  title: string,
  body: (getStore: () => Store, engine: Engine) => void,
): void {
  for (const engine of testEngines()) {
    describe(`${title} [${engine}]`, () => {
      let opened: Awaited<ReturnType<typeof openTestStore>> | undefined;
      beforeAll(async () => {
        opened = await openTestStore(engine);
      });
      afterAll(async () => {
        await opened?.dispose();
      });
      body(() => {
        if (!opened) throw new Error(`the ${engine} store did not open`);
        return opened.store;
      }, engine);
    });
  }
}
