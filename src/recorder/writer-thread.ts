/**
 * The recorder's batch writes, on a thread of their own. A batch's JavaScript (the rows' parameters, the
 * rollups folded from the batch, pg's protocol encoding and parsing, and the garbage of all of it) ran on
 * the proxy's event loop, which at c=32 is the bridge's bottleneck while the machine has CPU to spare;
 * here the proxy's thread only hands the batch over (one structured clone) and awaits the answer
 * (BENCHMARKS.md "The writer on its own thread"). The queue, the journal, retries and the split of a
 * refused batch stay in the recorder: this is only its `write`.
 *
 * The thread opens its own connections to the store's database ({@link RemoteStore}). If it dies, the
 * batches it held fail as a broken connection would (the recorder retries them) and the next write starts a
 * new one.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { RecordedInterception } from '../core/records.js';
import { type RemoteStore, transferablesOf } from '../store/open-store.js';

/** What the thread gets in `workerData`. */
export interface WriterThreadInput {
  remote: RemoteStore;
  poolSize: number;
}

/** Messages to the thread. */
export type WriterThreadCommand =
  | { kind: 'write'; id: number; interceptions: readonly RecordedInterception[] }
  | { kind: 'close' };

/** What of a database error crosses threads: what the recorder and its logs read of it. */
export interface CarriedError {
  name: string;
  message: string;
  code?: string;
  /** A connection attempt to several addresses fails with one error each. */
  errors?: CarriedError[];
}

/** Messages from the thread. */
export type WriterThreadReport =
  | { kind: 'written'; id: number }
  | { kind: 'failed'; id: number; error: CarriedError }
  | { kind: 'connection-error'; error: CarriedError }
  | { kind: 'closed' };

/** The error's name, message and code (structured clone would drop `code`). */
export function carriedError(error: unknown): CarriedError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error) };
  const { name, message, code, errors } = error as Record<string, unknown>;
  return {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
    ...(Array.isArray(errors) ? { errors: errors.map(carriedError) } : {}),
  };
}

/** An Error again, with the carried code and nested errors as own properties. */
export function revivedError(carried: CarriedError): Error {
  const error = new Error(carried.message);
  error.name = carried.name;
  return Object.assign(error, {
    ...(carried.code !== undefined ? { code: carried.code } : {}),
    ...(carried.errors ? { errors: carried.errors.map(revivedError) } : {}),
  });
}

/** The thread's entry: the compiled `.js` beside this file, or the `.ts` source under tsx and vitest. */
const defaultEntry = new URL(
  `./writer-thread-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

export interface WriterThreadOptions {
  /** Called for each thread started: a new {@link RemoteStore} (a connector port is used up by one). */
  remote: () => RemoteStore;
  /** Connections of the thread: as many as the recorder's writers. */
  poolSize: number;
  /** Told about every connection of the thread that broke. */
  onConnectionError?: (error: Error) => void;
  /** Told when the thread fails or ends unasked (its batches are then retried on a new one). */
  onThreadError?: (error: Error) => void;
  /** Tests only: another script to run as the thread. */
  entry?: URL;
}

interface Waiting {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class WriterThread {
  readonly #options: WriterThreadOptions;
  #worker: Worker | null = null;
  #exited: Promise<unknown> | null = null;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 0;
  #closed = false;

  constructor(options: WriterThreadOptions) {
    this.#options = options;
  }

  /** Writes a batch on the thread (as `writeRecords` would); rejects with the database's error. */
  write(interceptions: readonly RecordedInterception[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the writer thread is closed'));
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      // A write in flight keeps the process alive, as a pg query on this thread would.
      if (this.#waiting.size === 0) worker.ref();
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ kind: 'write', id, interceptions } satisfies WriterThreadCommand);
    });
  }

  #start(): Worker {
    const remote = this.#options.remote();
    const entry = this.#options.entry ?? defaultEntry;
    const input: WriterThreadInput = { remote, poolSize: this.#options.poolSize };
    const worker = new Worker(entry, {
      workerData: input,
      transferList: transferablesOf(remote),
      // The sources import each other by their `.js` names, which only tsx resolves to the `.ts` files.
      execArgv: entry.pathname.endsWith('.ts') ? ['--import', 'tsx'] : [],
    });
    this.#worker = worker;
    this.#exited = once(worker, 'exit');
    // An idle thread does not keep the process alive.
    worker.unref();
    worker.on('message', (report: WriterThreadReport) => {
      if (report.kind === 'written' || report.kind === 'failed') {
        const waiting = this.#waiting.get(report.id);
        this.#waiting.delete(report.id);
        if (this.#waiting.size === 0) worker.unref();
        if (report.kind === 'written') waiting?.resolve();
        else waiting?.reject(revivedError(report.error));
      } else if (report.kind === 'connection-error') {
        this.#options.onConnectionError?.(revivedError(report.error));
      }
    });
    // An error thrown on the thread ends it ('exit' follows); it must not end the process.
    let failure: Error | null = null;
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = null;
      if (!this.#closed) {
        this.#options.onThreadError?.(failure ?? new Error(`the writer thread ended with exit code ${code}`));
      }
      // As a broken connection fails (connection-errors.ts), so the recorder retries once the database answers.
      for (const waiting of this.#waiting.values()) {
        waiting.reject(new Error('Connection terminated: the writer thread ended'));
      }
      this.#waiting.clear();
    });
    return worker;
  }

  /**
   * Ends the thread after the writes it holds (call after the recorder drained, or released it); idempotent.
   * A thread still waiting on an unreachable database after `graceMs` is stopped.
   */
  async close(graceMs = 5000): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    if (worker === null) return;
    worker.postMessage({ kind: 'close' } satisfies WriterThreadCommand);
    let timer: NodeJS.Timeout | undefined;
    const stop = new Promise<void>((resolve) => {
      timer = setTimeout(() => void worker.terminate().then(() => resolve()), graceMs);
    });
    await Promise.race([this.#exited, stop]);
    clearTimeout(timer);
  }
}
