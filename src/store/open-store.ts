import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { migrate } from './migrate.js';
import { type EmbeddedTransport, openEmbedded } from './open-embedded.js';
import { RetryingPostgresDialect } from './retry-broken-reads.js';
import type { Database } from './schema.js';

// bigint counts and numeric sums are token counts, far below 2^53: read them as numbers. Dates (`date`)
// stay strings so a UTC day never shifts with the process time zone.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

/** Where the records live: a PostgreSQL server, or an embedded PGlite database in a directory. */
export type StoreOptions =
  | {
      databaseUrl: string;
      /** Tests only: a schema of their own. */
      schema?: string;
      poolSize?: number;
      /** Told about every connection that breaks (the connection is then discarded, never reused). */
      onConnectionError?: (error: Error) => void;
    }
  | {
      dataDir: string /** Benchmarks only: how to reach PGlite (see open-embedded.ts). */;
      transport?: EmbeddedTransport;
    };

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
  const store =
    'dataDir' in options
      ? { engine: 'pglite' as const, ...(await openEmbedded(options.dataDir, options.transport)) }
      : openServer(options);
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

function openServer(options: Extract<StoreOptions, { databaseUrl: string }>): Store {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    // A connection attempt to an unreachable host fails instead of waiting forever, so callers can fall
    // back (cached tokens, queued records) and the query API can answer 503.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
    // JIT compiling pays off only for long analytical scans; on these short statements it added tens of
    // milliseconds per query (more as the tables grow, and far more on a plan misled by missing statistics).
    // A connection string's own `options` parameter replaces these (pg's precedence).
    options: ['-c jit=off', ...(options.schema ? [`-c search_path=${options.schema}`] : [])].join(' '),
  });
  const onError = (error: Error) => options.onConnectionError?.(error);
  // pg-pool listens for errors only while a client is idle and removes that listener while it is checked
  // out; a connection killed then (pg_terminate_backend, a restart) emits 'error' with no listener, which
  // would crash the process. This listener stays for the client's whole life. The broken client is not
  // queryable any more, so the pool discards it when it is released, and the next query connects anew.
  pool.on('connect', (client) => client.on('error', onError));
  // The pool re-emits an idle client's error, which the listener above has already seen.
  pool.on('error', () => {});
  // A read whose connection turns out to be broken is retried once on a fresh one.
  const db = new Kysely<Database>({ dialect: new RetryingPostgresDialect({ pool }) });
  return { db, engine: 'postgres', pool, close: () => db.destroy() };
}
