import type { MessagePort } from 'node:worker_threads';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrate } from './migrate.js';
import { connectEmbedded, type EmbeddedTransport, openEmbedded } from './open-embedded.js';
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
  /**
   * How another thread reaches this database with connections of its own ({@link openRemoteStore}); each
   * call gives a new one to transfer there. Absent when only this thread can (PGlite on this thread).
   */
  remote?: () => RemoteStore;
  close(): Promise<void>;
}

/** What another thread needs to open its own connections to a {@link Store}'s database (transferable). */
export type RemoteStore =
  | { engine: 'postgres'; databaseUrl: string; schema?: string }
  | { engine: 'pglite'; connector: MessagePort };

/** The ports a {@link RemoteStore} holds, to list in `postMessage`'s transfer list. */
export function transferablesOf(remote: RemoteStore): MessagePort[] {
  return remote.engine === 'pglite' ? [remote.connector] : [];
}

/** Opens the database, applies pending migrations and returns the store. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store = 'dataDir' in options ? await openEmbeddedStore(options) : openServer(options);
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

async function openEmbeddedStore(options: Extract<StoreOptions, { dataDir: string }>): Promise<Store> {
  const { db, pool, connector, close } = await openEmbedded(options.dataDir, options.transport);
  return {
    engine: 'pglite',
    db,
    pool,
    ...(connector ? { remote: () => ({ engine: 'pglite' as const, connector: connector() }) } : {}),
    close,
  };
}

/**
 * Opens connections to a {@link RemoteStore}'s database on this thread. Nothing is migrated: the store's
 * opener did that.
 */
export function openRemoteStore(
  remote: RemoteStore,
  options: { poolSize: number; onConnectionError?: (error: Error) => void },
): Pick<Store, 'db' | 'close'> {
  if (remote.engine === 'postgres') {
    return openServer({
      databaseUrl: remote.databaseUrl,
      ...(remote.schema ? { schema: remote.schema } : {}),
      poolSize: options.poolSize,
      ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
    });
  }
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: connectEmbedded(remote.connector) }),
  });
  return {
    db,
    close: async () => {
      await db.destroy();
      remote.connector.close();
    },
  };
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
  const remote = (): RemoteStore => ({
    engine: 'postgres',
    databaseUrl: options.databaseUrl,
    ...(options.schema ? { schema: options.schema } : {}),
  });
  return { db, engine: 'postgres', pool, remote, close: () => db.destroy() };
}
