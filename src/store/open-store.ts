import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrate } from './migrate.js';
import type { Database } from './schema.js';

// bigint counts and numeric sums are token counts, far below 2^53: read them as numbers. Dates (`date`)
// stay strings so a UTC day never shifts with the process time zone.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

/** Where the records live: a PostgreSQL server, or an embedded PGlite database in a directory. */
export type StoreOptions =
  | { databaseUrl: string /** Tests only: a schema of their own. */; schema?: string; poolSize?: number }
  | { dataDir: string };

/** An open database with the schema migrated. */
export interface Store {
  db: Kysely<Database>;
  engine: 'pglite' | 'postgres';
  /** The connection pool's figures, for metrics. */
  pool: Pick<pg.Pool, 'totalCount' | 'idleCount' | 'waitingCount'>;
  close(): Promise<void>;
}

/** Opens the database, applies pending migrations and returns the store. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store = 'dataDir' in options ? await openEmbedded(options.dataDir) : openServer(options);
  try {
    if ('schema' in options && options.schema) {
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(options.schema)}`.execute(store.db);
    }
    await migrate(store.db);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openServer(options: { databaseUrl: string; schema?: string; poolSize?: number }): Store {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client that loses its connection emits on the pool; without a listener it would crash the process.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', pool, close: () => db.destroy() };
}

async function openEmbedded(dataDir: string): Promise<Store> {
  mkdirSync(dataDir, { recursive: true });
  // A small shared_buffers keeps the embedded server's memory modest; its working set is the WASM heap.
  const pglite = new PGlite(dataDir, { postgresqlconf: ['shared_buffers = 16MB'] });
  await pglite.waitReady;
  const pool = new pg.Pool(createPgConfig(pglite));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'pglite',
    pool,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}
