/**
 * The write path: the proxy hands each finished interception, whole, to a bounded in-memory queue and
 * never waits on the database; a writer drains the queue in batches of whole interceptions (one
 * transaction each), retrying a failed batch until it lands. While a backlog of full batches waits, a
 * second writer works beside the first (see `writers`). Nothing queued is ever dropped. With a journal,
 * every interception let in and every one queued is also appended to it, so a killed process loses
 * nothing (see journal.ts).
 */
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { RecordedInterception } from '../core/records.js';
import type { RecorderObserver } from '../observability/observability.js';
import { isConnectionError } from '../store/connection-errors.js';
import type { Database } from '../store/schema.js';
import { writeRecords } from '../store/write-records.js';
import type { Journal } from './journal.js';
import type { Admission } from './journal-entry.js';

export interface RecorderOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Queued interceptions at which new ones are refused (those already admitted are always accepted). */
  capacity: number;
  /** Most interceptions written in one transaction. */
  maxBatch?: number;
  /**
   * Most batches written at once, each in its own transaction on its own connection. Writers beyond the
   * first start only while at least a full batch waits, and stop when it is worked off: at low load one
   * transaction at a time keeps batches large. A batch is mostly the database's work on one backend
   * (the bridge's own share is about a third), so on PostgreSQL a second transaction overlaps one batch's
   * round trips, commit and JavaScript with another's execution on a second core (BENCHMARKS.md "Write
   * path past 5,000/s"). Rows are inserted with ON CONFLICT DO NOTHING and the rollups are sums and
   * min/max whose row locks are taken in key order (update-rollups.ts), so two batches commute and
   * cannot deadlock; batches may therefore land out of queue order. Default 1; run-server.ts uses 2 on
   * PostgreSQL. Not on PGlite: one backend behind one pooled connection would run them one after the
   * other, and a query waiting for that connection would wait for two batches instead of one.
   */
  writers?: number;
  /**
   * How long the writer waits for more interceptions before writing a batch smaller than `maxBatch`. At low load
   * this turns one transaction per interception into one per few dozen, so the writer's work on the shared
   * event loop stays off the proxy's latency; `drain()` cuts the wait short. Under steady load the writer
   * also takes its batches at least this far apart (a batch that took longer to write is followed at
   * once): writing whatever arrived during the previous write made batches of a few interceptions at
   * c=32, and each small transaction's commit, round trips and rollup upserts cost PostgreSQL three times
   * the CPU per interception (BENCHMARKS.md "Batches taken at most every 20 ms").
   */
  lingerMs?: number;
  /** Backoff after a batch failed for another reason than an unreachable database: first delay and ceiling. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Told how each batch write went (metrics). */
  observer?: RecorderObserver;
  /**
   * While the database is unreachable, how often a cheap probe asks whether it answers again; the batch
   * is written as soon as one does, so recovery does not wait for a long backoff.
   */
  probeIntervalMs?: number;
  /** Where interceptions are journaled for crash safety; none: memory only. */
  journal?: Journal;
  /** Replaceable for tests of the retry path. */
  write?: (db: Kysely<Database>, interceptions: readonly RecordedInterception[]) => Promise<void>;
  /** Replaceable for tests: resolves once the database answers. */
  probe?: (db: Kysely<Database>) => Promise<unknown>;
}

export class Recorder {
  readonly #options: Required<Omit<RecorderOptions, 'logger' | 'db' | 'journal' | 'observer'>> &
    Pick<RecorderOptions, 'logger' | 'db' | 'journal' | 'observer'>;
  #queue: RecordedInterception[] = [];
  /** Writers running (each writing or about to write a batch taken off the queue). */
  #writers = 0;
  /** Interceptions taken off the queue by a writer and not written yet. */
  #inFlight = 0;
  #failures = 0;
  /** Writers waiting for an unreachable database. */
  #waitingForDatabase = 0;
  /** Set by {@link release}: the writer stops and drains resolve; what is left stays in the journal. */
  #released = false;
  #written = 0;
  #rejected = 0;
  #idleWaiters: Array<() => void> = [];
  #wakeWriter: (() => void) | null = null;
  /** Interceptions let in by admit() not queued yet. */
  #admitted = 0;

  constructor(options: RecorderOptions) {
    this.#options = {
      // About 2,000 rows: batches of this size amortize a transaction's round trips without long statements.
      maxBatch: 300,
      writers: 1,
      lingerMs: 20,
      retryDelayMs: 50,
      maxRetryDelayMs: 5000,
      probeIntervalMs: 100,
      write: writeRecords,
      probe: (db) => sql`SELECT 1`.execute(db),
      ...options,
    };
  }

  /**
   * Queues one finished interception. One that was not admitted is refused (returns false, nothing
   * queued) when the queue is at capacity; `admitted: true` says the caller was let in by {@link admit}
   * when the request arrived, and is always accepted.
   */
  enqueue(interception: RecordedInterception, options: { admitted?: boolean } = {}): boolean {
    if (options.admitted) this.#admitted = Math.max(0, this.#admitted - 1);
    else if (!this.hasRoom()) return false;
    this.#options.journal?.queued(interception);
    this.#push([interception]);
    return true;
  }

  /** Queues what the journal of an earlier run left unwritten, ahead of everything else, without a limit. */
  replay(interceptions: readonly RecordedInterception[]): void {
    if (interceptions.length > 0) this.#push(interceptions);
  }

  #push(interceptions: readonly RecordedInterception[]): void {
    for (const interception of interceptions) this.#queue.push(interception);
    if (this.#queue.length >= this.#options.maxBatch) this.#wakeWriter?.();
    this.#schedule();
  }

  /** Whether a new interception would be admitted now. */
  hasRoom(): boolean {
    return this.pending < this.#options.capacity;
  }

  /**
   * Lets a new interception in when there is room (false: answer 503). The caller must later call
   * `enqueue(interception, { admitted: true })` exactly once; until then {@link drain} waits for it, so a drain
   * after a response ended, or at shutdown, includes the records of every interception let in before.
   * With a journal, `admission` is journaled before this returns, so the interception survives a crash.
   */
  admit(admission?: Admission): boolean {
    if (!this.hasRoom()) return false;
    this.#admitted += 1;
    if (admission) this.#options.journal?.admit(admission);
    return true;
  }

  /** Interceptions waiting to be written. */
  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  /** Interceptions waiting for a writer (those of batches being written not counted). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Whether at least a full batch waits for a writer: the writer is working off a backlog. */
  get behind(): boolean {
    return this.#queue.length >= this.#options.maxBatch;
  }

  /** Interceptions written since start. */
  get written(): number {
    return this.#written;
  }

  /**
   * Resolves once every interception queued so far, those admitted, and any queued meanwhile, have been
   * written.
   */
  drain(): Promise<void> {
    if (this.#released) return Promise.resolve();
    if (this.#queue.length === 0 && this.#writers === 0 && this.#admitted === 0) return Promise.resolve();
    this.#wakeWriter?.();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Waits `ms` for more interceptions to join the batch, unless a full batch is queued or a drain is
   * waiting.
   */
  #linger(ms: number): Promise<void> {
    if (ms <= 0 || this.#queue.length >= this.#options.maxBatch || this.#idleWaiters.length > 0) {
      // Still let the interceptions of the current tick join the batch.
      return new Promise<void>((resolve) => setImmediate(resolve));
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(wake, ms);
      function wake() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeWriter = () => {
        this.#wakeWriter = null;
        wake();
      };
    }).finally(() => {
      this.#wakeWriter = null;
    });
  }

  /** Starts the first writer, or one more while a full batch waits and no batch is failing. */
  #schedule(): void {
    if (this.#writers === 0) this.#startWriter(true);
    else if (
      this.#writers < this.#options.writers &&
      this.#queue.length >= this.#options.maxBatch &&
      this.#failures === 0 &&
      !this.#released
    ) {
      this.#startWriter(false);
    }
  }

  #startWriter(first: boolean): void {
    this.#writers += 1;
    void this.#writeAll(first).finally(() => {
      this.#writers -= 1;
      if (this.#writers > 0) return;
      if (this.#queue.length > 0 && !this.#released) this.#schedule();
      else if (this.#admitted === 0) this.#resolveIdle();
    });
  }

  #resolveIdle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /**
   * One writer: takes batches off the queue and writes each until it lands. The first lingers for a
   * fuller batch, takes batches at most every `lingerMs` and runs until the queue is empty; a further
   * one only works off a backlog.
   */
  async #writeAll(first: boolean): Promise<void> {
    const { lingerMs } = this.#options;
    // Not inside enqueue(): the interceptions of the current tick join the batch, and building the batch's
    // statements stays off the caller's request.
    if (!first) await new Promise<void>((resolve) => setImmediate(resolve));
    let takenAt: number | null = null;
    while (!this.#released) {
      if (first) {
        // Nothing more to write: a later interception starts a new writer, which lingers in full.
        if (takenAt !== null && this.#queue.length === 0) return;
        await this.#linger(takenAt === null ? lingerMs : takenAt + lingerMs - performance.now());
      }
      if (this.#queue.length === 0 || this.#released) return;
      if (!first && this.#queue.length < this.#options.maxBatch) return;
      takenAt = performance.now();
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      this.#inFlight += batch.length;
      try {
        await this.#writeBatch(batch);
      } finally {
        this.#inFlight -= batch.length;
      }
    }
  }

  /**
   * Writes one batch, retrying until it lands. On release the batch is given up and stays in the journal
   * (a write already sent may still land; the journal then learns it as usual).
   */
  async #writeBatch(batch: readonly RecordedInterception[]): Promise<void> {
    while (!this.#released) {
      const began = performance.now();
      const report = (ok: boolean) =>
        this.#options.observer?.batchWritten({
          interceptions: batch.length,
          seconds: (performance.now() - began) / 1000,
          ok,
          afterFailure: this.#failures > 0,
        });
      try {
        await this.#options.write(this.#options.db, batch);
        report(true);
        this.#written += batch.length;
        this.#options.journal?.written(batch);
        if (this.#failures > 0) {
          this.#options.logger.info(
            { interceptions: batch.length, pending: this.pending - batch.length },
            'recorder recovered',
          );
        }
        this.#failures = 0;
        return;
      } catch (error) {
        report(false);
        if (isDataError(error)) {
          // Retrying cannot cure what a record's own data causes, and one such record must not hold back
          // every other: halves are written on their own until the one the database refuses is alone.
          if (batch.length > 1) {
            const half = Math.ceil(batch.length / 2);
            await this.#writeBatch(batch.slice(0, half));
            await this.#writeBatch(batch.slice(half));
          } else if (batch[0] !== undefined) this.#reject(batch[0], error);
          return;
        }
        this.#failures += 1;
        if (isConnectionError(error)) {
          if (this.#failures === 1) {
            this.#options.logger.error(
              { err: error, pending: this.pending },
              'database unreachable; records wait in memory until it answers',
            );
          }
          await this.#waitForDatabase();
          continue;
        }
        const delay = Math.min(
          this.#options.retryDelayMs * 2 ** (this.#failures - 1),
          this.#options.maxRetryDelayMs,
        );
        this.#options.logger.error(
          { err: error, pending: this.pending, attempt: this.#failures, retryInMs: delay },
          'recording batch failed; will retry',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Sets aside an interception the database refuses for its data: kept whole in the journal's rejected
   * file (never replayed by itself; an operator can move it back once the cause is fixed), logged with
   * the database's reason, and let out of the queue and the journal.
   */
  #reject(interception: RecordedInterception, error: unknown): void {
    const keptIn = this.#options.journal?.reject(interception, describeDataError(error)) ?? null;
    this.#rejected += 1;
    this.#options.logger.error(
      { err: error, interceptionId: interception.start.id, keptIn },
      keptIn === null
        ? 'the database refused an interception for its data; it could not be kept'
        : 'the database refused an interception for its data; it is kept in the rejected file',
    );
    this.#options.journal?.written([interception]);
  }

  /** Interceptions the database refused for their data (see {@link Recorder.#reject}). */
  get rejected(): number {
    return this.#rejected;
  }

  /** Probes the database every `probeIntervalMs` until it answers (or the recorder is released). */
  async #waitForDatabase(): Promise<void> {
    this.#waitingForDatabase += 1;
    try {
      while (!this.#released) {
        await new Promise((resolve) => setTimeout(resolve, this.#options.probeIntervalMs));
        try {
          await this.#options.probe(this.#options.db);
          return;
        } catch {
          // Still unreachable: the first failure was logged.
        }
      }
    } finally {
      this.#waitingForDatabase -= 1;
    }
  }

  /** Whether the writer is waiting for an unreachable database. */
  get waitingForDatabase(): boolean {
    return this.#waitingForDatabase > 0;
  }

  /**
   * Gives up writing (at shutdown while the database is unreachable): the writer stops, every drain
   * resolves, and the interceptions still queued are left to the journal, which the next start replays.
   * Only safe with a healthy journal. Returns how many interceptions were left.
   */
  release(): number {
    this.#released = true;
    this.#wakeWriter?.();
    this.#resolveIdle();
    return this.pending;
  }
}

/**
 * Errors of a statement's data (SQLSTATE class 22, data exception; class 23, integrity constraint
 * violation, e.g. a user that is not in this database): the same records fail the same way every time.
 * Anything else (a deadlock, a full disk, a missing table) is retried, as the cause is not the record's.
 */
function isDataError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/** The database's code and message of a data error, as the rejected file keeps it. */
function describeDataError(error: unknown): { code: string; message: string } {
  const { code, message } = error as { code: string; message?: unknown };
  return { code, message: typeof message === 'string' ? message : String(error) };
}
