/**
 * The write path: the proxy hands record events to a bounded in-memory queue and never waits on the
 * database; one writer drains the queue in batches (one transaction each), retrying a failed batch with
 * backoff until it lands. Nothing queued is ever dropped.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { RecordEvent } from '../core/records.js';
import type { RecorderObserver } from '../observability/observability.js';
import type { Database } from '../store/schema.js';
import { writeRecords } from '../store/write-records.js';

export interface RecorderOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Queue length at which new interceptions are refused (follow-up events are always accepted). */
  capacity: number;
  /** Most events written in one transaction. */
  maxBatch?: number;
  /**
   * How long the writer waits for more events before writing a batch smaller than `maxBatch`. At low load
   * this turns one transaction per interception into one per few dozen, so the writer's work on the shared
   * event loop stays off the proxy's latency; `drain()` cuts the wait short.
   */
  lingerMs?: number;
  /** Backoff after a failed batch: first delay and ceiling, in milliseconds. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Told how each batch write went (metrics). */
  observer?: RecorderObserver;
  /** Replaceable for tests of the retry path. */
  write?: (db: Kysely<Database>, events: readonly RecordEvent[]) => Promise<void>;
}

export class Recorder {
  readonly #options: Required<Omit<RecorderOptions, 'logger' | 'db' | 'observer'>> &
    Pick<RecorderOptions, 'logger' | 'db' | 'observer'>;
  #queue: RecordEvent[] = [];
  #writing: Promise<void> | null = null;
  #failures = 0;
  #written = 0;
  #idleWaiters: Array<() => void> = [];
  #wakeWriter: (() => void) | null = null;
  /** Interceptions let in by admit() whose events are not queued yet. */
  #admitted = 0;

  constructor(options: RecorderOptions) {
    this.#options = {
      maxBatch: 2000,
      lingerMs: 20,
      retryDelayMs: 50,
      maxRetryDelayMs: 5000,
      write: writeRecords,
      ...options,
    };
  }

  /**
   * Queues events in order. A batch that starts an interception is refused (returns false, nothing
   * queued) when the queue is at capacity, so the proxy can answer 503 instead of serving a request it
   * cannot record; events of interceptions already admitted are always accepted. `admitted: true` says the
   * caller was let in by {@link admit} when the request arrived and now queues the whole interception.
   */
  enqueue(events: readonly RecordEvent[], options: { admitted?: boolean } = {}): boolean {
    if (options.admitted) this.#admitted = Math.max(0, this.#admitted - 1);
    if (events.length === 0) {
      if (this.#queue.length === 0 && this.#writing === null && this.#admitted === 0) this.#resolveIdle();
      return true;
    }
    const startsNew = !options.admitted && events.some((event) => event.kind === 'interception-start');
    if (startsNew && this.#queue.length >= this.#options.capacity) return false;
    for (const event of events) this.#queue.push(event);
    if (this.#queue.length >= this.#options.maxBatch) this.#wakeWriter?.();
    this.#schedule();
    return true;
  }

  /** Whether a new interception would be admitted now. */
  hasRoom(): boolean {
    return this.#queue.length < this.#options.capacity;
  }

  /**
   * Lets a new interception in when there is room (false: answer 503). The caller must later call
   * `enqueue(events, { admitted: true })` exactly once; until then {@link drain} waits for it, so a drain
   * after a response ended, or at shutdown, includes the records of every interception let in before.
   */
  admit(): boolean {
    if (!this.hasRoom()) return false;
    this.#admitted += 1;
    return true;
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Events written since start. */
  get written(): number {
    return this.#written;
  }

  /**
   * Resolves once every event queued so far, those of admitted interceptions, and any queued meanwhile,
   * have been written.
   */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && this.#writing === null && this.#admitted === 0) return Promise.resolve();
    this.#wakeWriter?.();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Waits for more events to join the batch: `lingerMs`, unless a full batch is queued or a drain is waiting. */
  #linger(): Promise<void> {
    const { lingerMs, maxBatch } = this.#options;
    if (lingerMs <= 0 || this.#queue.length >= maxBatch || this.#idleWaiters.length > 0) {
      // Still let the events of the current tick join the batch.
      return new Promise<void>((resolve) => setImmediate(resolve));
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(wake, lingerMs);
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

  #schedule(): void {
    if (this.#writing !== null) return;
    this.#writing = this.#writeAll().finally(() => {
      this.#writing = null;
      if (this.#queue.length > 0) this.#schedule();
      else if (this.#admitted === 0) this.#resolveIdle();
    });
  }

  #resolveIdle(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  async #writeAll(): Promise<void> {
    await this.#linger();
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#options.maxBatch);
      const began = performance.now();
      const report = (ok: boolean) =>
        this.#options.observer?.batchWritten({
          events: batch.length,
          seconds: (performance.now() - began) / 1000,
          ok,
          afterFailure: this.#failures > 0,
        });
      try {
        await this.#options.write(this.#options.db, batch);
        report(true);
        this.#queue.splice(0, batch.length);
        this.#written += batch.length;
        if (this.#failures > 0) this.#options.logger.info({ events: batch.length }, 'recorder recovered');
        this.#failures = 0;
      } catch (error) {
        report(false);
        this.#failures += 1;
        const delay = Math.min(
          this.#options.retryDelayMs * 2 ** (this.#failures - 1),
          this.#options.maxRetryDelayMs,
        );
        this.#options.logger.error(
          { err: error, pending: this.#queue.length, attempt: this.#failures, retryInMs: delay },
          'recording batch failed; will retry',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
