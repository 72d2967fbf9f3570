import { type Kysely, sql } from 'kysely';
import { analyzeRecordTables } from './keep-statistics.js';
import { initialSchema } from './migrations/0001-initial.js';
import { queryIndexes } from './migrations/0002-query-indexes.js';
import { queryRollups } from './migrations/0003-query-rollups.js';
import { sessionTokenMetadata } from './migrations/0004-session-token-metadata.js';
import { sessionModels } from './migrations/0005-session-models.js';
import { errorType } from './migrations/0006-error-type.js';
import { userStatus } from './migrations/0007-user-status.js';
import { dashboard } from './migrations/0008-dashboard.js';
import { sessionErrors } from './migrations/0010-session-errors.js';
import { usageReads } from './migrations/0012-usage-reads.js';
import { userSessionStarts } from './migrations/0013-user-session-starts.js';
import type { Database } from './schema.js';

/** A forward-only migration: applied once, in version order, never edited after it ships. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initialSchema },
  { version: 2, name: 'query-indexes', sql: queryIndexes },
  { version: 3, name: 'query-rollups', sql: queryRollups },
  { version: 4, name: 'session-token-metadata', sql: sessionTokenMetadata },
  { version: 5, name: 'session-models', sql: sessionModels },
  { version: 6, name: 'error-type', sql: errorType },
  { version: 7, name: 'user-status', sql: userStatus },
  { version: 8, name: 'dashboard', sql: dashboard },
  { version: 10, name: 'session-errors', sql: sessionErrors },
  { version: 12, name: 'usage-reads', sql: usageReads },
  { version: 13, name: 'user-session-starts', sql: userSessionStarts },
];

/** Key of the advisory lock that serialises migrations across servers sharing one database. */
const migrationLockKey = 0x41494272; // "AIBr"

/**
 * Applies every migration not yet recorded, in one transaction per migration, under a transaction-level
 * advisory lock: servers starting at once on one database wait for each other, and only the first applies.
 * Returns the versions it applied.
 */
export async function migrate(db: Kysely<Database>): Promise<number[]> {
  return db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${migrationLockKey})`.execute(connection);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`.execute(connection);
      const applied = await sql<{ version: number }>`SELECT version FROM schema_migrations`.execute(
        connection,
      );
      const done = new Set(applied.rows.map((row) => row.version));
      const newlyApplied: number[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await connection.transaction().execute(async (transaction) => {
          await sql.raw(migration.sql).execute(transaction);
          await sql`INSERT INTO schema_migrations (version, name) VALUES (${migration.version}, ${migration.name})`.execute(
            transaction,
          );
        });
        newlyApplied.push(migration.version);
      }
      // A migration may add indexes or rewrite tables: without fresh statistics the first queries after an
      // upgrade would be planned blind until enough new records trigger the next analyze.
      if (newlyApplied.length > 0) await analyzeRecordTables(connection);
      return newlyApplied;
    } finally {
      await sql`SELECT pg_advisory_unlock(${migrationLockKey})`.execute(connection);
    }
  });
}
