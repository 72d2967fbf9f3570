/**
 * Reads that must agree with each other, such as a page and its `count`, run in one snapshot: a
 * read-only REPEATABLE READ transaction sees the database as of its first statement, so rows the recorder
 * commits meanwhile are in neither or in both.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** Runs `read` in one read-only snapshot of the database and returns its result. */
export function inSnapshot<Result>(
  db: Kysely<Database>,
  read: (snapshot: Transaction<Database>) => Promise<Result>,
): Promise<Result> {
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(read);
}
