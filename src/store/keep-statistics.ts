/**
 * Planner statistics kept fresh by the product itself. Without them PostgreSQL plans the record queries
 * blind (it guessed ~500 child rows per interception and a page of interceptions took half a second), and
 * nothing else is guaranteed to gather them: PGlite has no autovacuum, and a PostgreSQL server may run with
 * autovacuum off, or not have reached its analyze threshold yet after a burst of writes.
 */
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from './schema.js';

/** The tables the write path fills: records and rollups. Users and keys change rarely and stay small. */
export const recordTables = [
  'aibridge_interceptions',
  'aibridge_token_usages',
  'aibridge_user_prompts',
  'aibridge_tool_usages',
  'aibridge_model_thoughts',
  'aibridge_sessions',
  'aibridge_session_models',
  'aibridge_interception_counts',
  'aibridge_interception_totals',
  // The usage rollups (migrations 0008, 0010, 0013): unanalyzed, the overview's statements were planned blind
  // and took 75–230 ms instead of 10–20 at 1M interceptions (bench:query as written, autovacuum off).
  'aibridge_usage_hourly',
  'aibridge_usage_by_dimension',
  'aibridge_session_starts',
  'aibridge_user_session_starts',
] as const satisfies readonly (keyof Database)[];

/** Key of the advisory lock that keeps servers sharing one database from analyzing at the same time. */
const analyzeLockKey = 0x41494261; // "AIBa" (bootstrap-admin.ts uses "AIBs")

/**
 * Analyzes the record tables unless another server is doing so (then returns false at once: its
 * statistics serve everyone). Two ANALYZEs of one table at once can fail with "tuple concurrently updated".
 */
export async function analyzeRecordTables(db: Kysely<Database>): Promise<boolean> {
  return db.transaction().execute(async (transaction) => {
    const locked = await sql<{
      locked: boolean;
    }>`SELECT pg_try_advisory_xact_lock(${analyzeLockKey}) AS locked`.execute(transaction);
    if (!locked.rows[0]?.locked) return false;
    await sql`ANALYZE ${sql.join(recordTables.map((table) => sql.table(table)))}`.execute(transaction);
    return true;
  });
}

/** Rows in the record tables as of their last statistics (a never-analyzed table counts as empty). */
async function analyzedRows(db: Kysely<Database>): Promise<{ rows: number; neverAnalyzed: boolean }> {
  const result = await sql<{ rows: number; never_analyzed: boolean }>`
    SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 AS rows, bool_or(c.reltuples < 0) AS never_analyzed
    FROM unnest(${[...recordTables]}::text[]) AS t (name)
    JOIN pg_class c ON c.oid = to_regclass(t.name)`.execute(db);
  const row = result.rows[0];
  return { rows: Number(row?.rows ?? 0), neverAnalyzed: row?.never_analyzed ?? false };
}

export interface StatisticsUpkeepOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Rows written since the last analyze that always trigger one, however small the tables. */
  minRows?: number;
  /** Share of the tables' size that, written since the last analyze, triggers one. */
  fraction?: number;
  /**
   * Whether the writer is working off a backlog (a burst). Meanwhile `busyFraction` replaces `fraction`,
   * and the analyze the burst put off runs at the first write after it. Measured on the write path
   * (BENCHMARKS.md "Write path past 5,000/s"): 20,000 interceptions queued at once set off ~25 analyzes at
   * 10 %, whose sampling took the cores from the writer (about a fifth of its rate); at 100 % a burst
   * sets off a handful. A long burst still gets statistics (the planner scales the last row counts by the
   * tables' current size; a doubling is what it cannot scale), and a server always busy keeps them.
   */
  busy?: () => boolean;
  busyFraction?: number;
}

/**
 * Analyzes the record tables once the rows written since the last analyze exceed `minRows + fraction ×
 * rows` (autovacuum's own rule, with its default 10 %), in the background and never twice at once. It runs
 * on PostgreSQL too rather than guessing whether autovacuum will: an ANALYZE samples a fixed number of
 * rows per table (tens of milliseconds, whatever the size), and the 10 % rule spaces them out
 * geometrically, so a server that also autovacuums pays for a few redundant samples at most.
 */
export class StatisticsUpkeep {
  readonly #options: Required<StatisticsUpkeepOptions>;
  /** Rows the tables held at the last analyze; undefined until read from the catalog. */
  #rowsAtAnalyze: number | undefined;
  #writtenSinceAnalyze = 0;
  #running: Promise<void> | null = null;
  #closed = false;
  #analyzes = 0;

  constructor(options: StatisticsUpkeepOptions) {
    this.#options = { minRows: 1000, fraction: 0.1, busy: () => false, busyFraction: 1, ...options };
  }

  /** Reads the tables' size and analyzes at once when one was never analyzed (a database from before). */
  start(): void {
    this.#run(async () => {
      const { rows, neverAnalyzed } = await analyzedRows(this.#options.db);
      this.#rowsAtAnalyze = rows;
      if (neverAnalyzed) await this.#analyze();
    });
  }

  /** Counts rows the writer has written; starts an analyze when enough have been. */
  noteWritten(rows: number): void {
    this.#writtenSinceAnalyze += rows;
    if (this.#running !== null || this.#closed) return;
    const fraction = this.#options.busy() ? this.#options.busyFraction : this.#options.fraction;
    const threshold = this.#options.minRows + fraction * (this.#rowsAtAnalyze ?? 0);
    if (this.#writtenSinceAnalyze > threshold) this.#run(() => this.#analyze());
  }

  /** Stops scheduling and waits for an analyze in progress, so the store can close under it. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }

  /** Analyzes this upkeep has run. */
  get analyzes(): number {
    return this.#analyzes;
  }

  /** Resolves when no analyze is running (for tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  #run(task: () => Promise<void>): void {
    if (this.#running !== null || this.#closed) return;
    this.#running = task()
      .catch((error: unknown) => {
        // Statistics are an optimisation: a failure costs speed, never records. The count stays, so the
        // next write tries again.
        this.#options.logger.warn({ err: error }, 'analyzing the record tables failed');
      })
      .finally(() => {
        this.#running = null;
      });
  }

  async #analyze(): Promise<void> {
    const written = this.#writtenSinceAnalyze;
    const started = performance.now();
    const analyzed = await analyzeRecordTables(this.#options.db);
    // When another server sharing the database holds the lock, its statistics serve this one too.
    this.#writtenSinceAnalyze -= written;
    if (!analyzed) return;
    this.#analyzes += 1;
    this.#rowsAtAnalyze = (await analyzedRows(this.#options.db)).rows;
    this.#options.logger.debug(
      { rows: this.#rowsAtAnalyze, ms: Math.round(performance.now() - started) },
      'analyzed the record tables',
    );
  }
}
