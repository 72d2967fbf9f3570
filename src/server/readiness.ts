/**
 * Readiness: whether this server can do its work now. Liveness (`/healthz`) only says the process
 * answers; readiness asks the database, and checks every migration this build knows is applied.
 */
import { sql } from 'kysely';
import { migrations } from '../store/migrate.js';
import type { Store } from '../store/open-store.js';

/** The answer of `/readyz`. */
export interface Readiness {
  ready: boolean;
  checks: { database: string; migrations: string };
  /** The first failing dependency, when not ready. */
  failing?: 'database' | 'migrations';
}

/** Asks the database, with a time limit so a hung connection makes the answer "not ready", not a hang. */
export async function checkReadiness(store: Store, timeoutMs = 2000): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  let applied: Set<number>;
  try {
    const result = await Promise.race([
      sql<{ version: number }>`SELECT version FROM schema_migrations`.execute(store.db),
      timeout,
    ]);
    applied = new Set(result.rows.map((row) => Number(row.version)));
  } catch (error) {
    return {
      ready: false,
      failing: 'database',
      checks: { database: `unreachable: ${oneLine(error)}`, migrations: 'unknown' },
    };
  } finally {
    clearTimeout(timer);
  }
  const pending = migrations.filter((migration) => !applied.has(migration.version));
  if (pending.length > 0) {
    return {
      ready: false,
      failing: 'migrations',
      checks: {
        database: 'ok',
        migrations: `pending: ${pending.map((migration) => `${migration.version} ${migration.name}`).join(', ')}`,
      },
    };
  }
  return { ready: true, checks: { database: 'ok', migrations: 'ok' } };
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  const code = (error as { code?: unknown }).code;
  const text = message || (typeof code === 'string' ? code : 'unknown error');
  return text.split('\n')[0] ?? text;
}
