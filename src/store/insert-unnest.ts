import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/** A column value as the writer sends it: text, number, boolean or null (dates and JSON go as text). */
export type CellValue = string | number | boolean | null;

/**
 * Inserts many rows with one array parameter per column (`INSERT … SELECT * FROM unnest($1::uuid[], …)`)
 * instead of one parameter per cell. Measured on the write path (300 interceptions a batch, PostgreSQL 15):
 * a 300-row VALUES list with 18 columns is 5,400 parameters to bind and a new statement text per batch
 * size, while unnest binds 18 and parses the same text every time; the inserts took about half as long.
 * Rows that already exist (by primary key) are skipped, so a retried batch inserts nothing twice.
 */
export async function insertUnnest<Row extends Record<string, CellValue>>(
  transaction: Transaction<Database>,
  input: {
    table: keyof Database & string;
    /** Column name → PostgreSQL type of its elements, e.g. `{ id: 'uuid', metadata: 'jsonb' }`. */
    columns: { [Column in keyof Row & string]: string };
    rows: readonly Row[];
    /** Columns to return from the inserted rows. */
    returning?: readonly (keyof Row & string)[];
  },
): Promise<Record<string, unknown>[]> {
  if (input.rows.length === 0) return [];
  const names = Object.keys(input.columns) as (keyof Row & string)[];
  const arrays = names.map((name) => {
    const values = input.rows.map((row) => row[name] ?? null);
    return sql`${values}::${sql.raw(`${input.columns[name]}[]`)}`;
  });
  const returning: RawBuilder<unknown> = input.returning?.length
    ? sql` RETURNING ${sql.join(input.returning.map((name) => sql.id(name)))}`
    : sql``;
  const result = await sql<Record<string, unknown>>`
    INSERT INTO ${sql.table(input.table)} (${sql.join(names.map((name) => sql.id(name)))})
    SELECT * FROM unnest(${sql.join(arrays)})
    ON CONFLICT (id) DO NOTHING${returning}`.execute(transaction);
  return result.rows;
}
