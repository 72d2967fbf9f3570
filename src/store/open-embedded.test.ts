import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTemplate } from '../../test/support/pglite-template.js';
import { migrations } from './migrate.js';
import { EmbeddedDatabaseInUseError } from './open-embedded.js';
import { openStore, type Store } from './open-store.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the embedded database in its worker', () => {
  const directory = copyTemplate();
  let store: Store;

  beforeAll(async () => {
    store = await openStore({ dataDir: directory });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('keeps the caller’s event loop running while a statement runs', async () => {
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks += 1;
      if (running) setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
    const result = await sql<{ total: number }>`SELECT sum(n)::float8 AS total
      FROM generate_series(1, 3000000) AS n`.execute(store.db);
    running = false;
    expect(result.rows[0]?.total).toBe(4_500_001_500_000);
    // On the caller's thread PGlite computes the sum in one synchronous call and no timer fires meanwhile.
    expect(ticks).toBeGreaterThan(20);
  });

  it('refuses a second opener of the same directory with one line', async () => {
    await expect(openStore({ dataDir: directory })).rejects.toThrow(
      new EmbeddedDatabaseInUseError(
        `the embedded database in ${directory} is in use by another aibridge process`,
      ),
    );
    const still = await sql<{ one: number }>`SELECT 1 AS one`.execute(store.db);
    expect(still.rows).toEqual([{ one: 1 }]);
  });

  it('rolls back a transaction its connection left open', async () => {
    await expect(
      store.db.transaction().execute(async (transaction) => {
        await sql`CREATE TABLE left_open (id int)`.execute(transaction);
        throw new Error('abandoned');
      }),
    ).rejects.toThrow('abandoned');
    const table = await sql<{ name: string | null }>`SELECT to_regclass('left_open')::text AS name`.execute(
      store.db,
    );
    expect(table.rows).toEqual([{ name: null }]);
  });
});

describe('a new embedded database', () => {
  it('is created and migrated in an empty directory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'aibridge-pglite-new-'));
    try {
      const store = await openStore({ dataDir: join(directory, 'pgdata') });
      const applied = await sql<{
        version: number;
      }>`SELECT version FROM schema_migrations ORDER BY version`.execute(store.db);
      expect(applied.rows.map((row) => row.version)).toEqual(
        migrations.map((migration) => migration.version),
      );
      await store.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the embedded database after a crash', () => {
  it('opens a directory whose owner was killed, and removes its socket on close', async () => {
    const directory = copyTemplate();
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `const { openStore } = await import(${JSON.stringify(join(root, 'src/store/open-store.ts'))});
           await openStore({ dataDir: ${JSON.stringify(directory)} });
           process.stdout.write('open\\n');
           setInterval(() => {}, 1000);`,
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await once(child.stdout, 'data');
      child.kill('SIGKILL');
      await once(child, 'exit');
      expect(existsSync(join(directory, '.s.PGSQL.5432'))).toBe(true);
      const store = await openStore({ dataDir: directory });
      const result = await sql<{ count: number }>`SELECT count(*) AS count FROM schema_migrations`.execute(
        store.db,
      );
      expect(result.rows[0]?.count).toBeGreaterThan(0);
      await store.close();
      expect(existsSync(join(directory, '.s.PGSQL.5432'))).toBe(false);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
