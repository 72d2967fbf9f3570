import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Duplex } from 'node:stream';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { PgliteWorkerCommand, PgliteWorkerInput, PgliteWorkerReport } from './pglite-worker.js';
import type { Database } from './schema.js';

/**
 * How the store reaches the embedded database (compared by `npm run bench`, BENCHMARKS.md "Embedded
 * database off the request thread"):
 * - `port` (default): PGlite in a worker thread, the wire protocol over a MessagePort. With the query API's
 *   heaviest pages looping beside c=1 proxy traffic it added +0.6 ms p50 / +15 ms p99 to a proxied request,
 *   against +80 / +370 ms in-thread; alone it is as fast as in-thread within this machine's noise, and it
 *   answers row-heavy statements several times faster than the in-thread adapter (no per-message objects).
 * - `socket`: the same worker over its Unix socket (`psql -h <data-dir>` can use it too). Within noise of
 *   `port`, with a kernel round trip more per unit and a socket path to fit in 108 bytes; not the default.
 * - `inline`: PGlite on the caller's thread, as before the worker existed: every query and batch write
 *   stops every in-flight stream for its duration. Kept as the benchmark's baseline.
 * The worker serves the socket in every mode but `inline`: it is the data directory's single-owner lock.
 */
export type EmbeddedTransport = 'port' | 'socket' | 'inline';

// `shared_buffers`: a small cache keeps the embedded server's memory modest; its working set is the WASM
// heap. PGlite's WebAssembly build has no LLVM, so `jit = off` changes nothing today; it keeps both
// engines' settings alike.
const postgresqlconf = ['shared_buffers = 16MB', 'jit = off'];

/** Sockets paths longer than this do not fit `sun_path` (108 bytes on Linux, 104 on macOS). */
const maxSocketPath = 100;

/** Where the worker listens: in the data directory, or in the temp directory when that path is too long. */
function socketDirectory(dataDir: string): string {
  const absolute = resolve(dataDir);
  if (Buffer.byteLength(join(absolute, '.s.PGSQL.5432')) <= maxSocketPath) return absolute;
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 16);
  return join(tmpdir(), `aibridge-${hash}`);
}

/** The worker's entry: the compiled `.js` beside this file, or the `.ts` source under tsx and vitest. */
function workerEntry(): URL {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./pglite-worker${extension}`, import.meta.url);
}

/** Where a connection is asked for: the worker itself, or a connector port handed to another thread. */
type ConnectTarget = Pick<Worker | MessagePort, 'postMessage'>;

/** A pg connection stream over a MessagePort to the worker (what `net.Socket` is to a server). */
class WorkerPortStream extends Duplex {
  readonly #target: ConnectTarget;
  #port: MessagePort | null = null;

  constructor(target: ConnectTarget) {
    super();
    this.#target = target;
  }

  connect(): this {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    port1.on('message', (data: Uint8Array) =>
      this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
    );
    port1.on('close', () => this.push(null));
    this.#target.postMessage({ kind: 'connect', port: port2 } satisfies PgliteWorkerCommand, [port2]);
    process.nextTick(() => this.emit('connect'));
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    this.#port?.ref();
    return this;
  }

  unref(): this {
    this.#port?.unref();
    return this;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // pg's buffers may be views into a larger pooled allocation: send the bytes alone, transferred.
    const copy = new Uint8Array(chunk);
    this.#port?.postMessage(copy, [copy.buffer]);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#port?.close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#port?.close();
    callback(error);
  }
}

/**
 * `port`, unless AIBRIDGE_EMBEDDED_TRANSPORT names another: a benchmark knob (`npm run bench` compares the
 * three in one run), not a setting operators need.
 */
function defaultTransport(): EmbeddedTransport {
  const chosen = process.env.AIBRIDGE_EMBEDDED_TRANSPORT;
  if (chosen === undefined || chosen === '') return 'port';
  if (chosen === 'port' || chosen === 'socket' || chosen === 'inline') return chosen;
  throw new Error(`AIBRIDGE_EMBEDDED_TRANSPORT must be port, socket or inline, not "${chosen}"`);
}

/** Another process has the embedded database open; the message is one line for the operator. */
export class EmbeddedDatabaseInUseError extends Error {
  override name = 'EmbeddedDatabaseInUseError';
}

/** An open embedded database: the Kysely instance and how to close it. */
export interface EmbeddedDatabase {
  db: Kysely<Database>;
  /** The connection pool's figures, for metrics. */
  pool: Pick<pg.Pool, 'totalCount' | 'idleCount' | 'waitingCount'>;
  /**
   * A port through which another thread opens connections of its own ({@link connectEmbedded}); transfer
   * it to that thread. Absent when PGlite runs on this thread (`inline`).
   */
  connector?: () => MessagePort;
  close(): Promise<void>;
}

/**
 * Opens the PGlite database in `dataDir` (created if missing). Fails with a one-line error when another
 * process has it open.
 */
export async function openEmbedded(
  dataDir: string,
  transport: EmbeddedTransport = defaultTransport(),
): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (transport === 'inline') return openInline(dataDir);
  const socketDir = socketDirectory(dataDir);
  mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  const input: PgliteWorkerInput = {
    dataDir,
    socketPath: join(socketDir, '.s.PGSQL.5432'),
    postgresqlconf,
  };
  const worker = new Worker(workerEntry(), { workerData: input });
  const exited = once(worker, 'exit');
  // Until close(): a worker error must not crash the process; the pool's queries then fail instead.
  worker.on('error', () => {});
  const [first] = (await Promise.race([once(worker, 'message'), exited])) as [PgliteWorkerReport | number];
  if (typeof first !== 'object' || first.kind !== 'ready') {
    await worker.terminate();
    if (typeof first === 'object' && first.kind === 'failed' && first.inUse) {
      throw new EmbeddedDatabaseInUseError(
        `the embedded database in ${resolve(dataDir)} is in use by another aibridge process`,
      );
    }
    const reason = typeof first === 'object' && first.kind === 'failed' ? first.message : `exit ${first}`;
    throw new Error(`could not open the embedded database in ${resolve(dataDir)}: ${reason}`);
  }
  const pool = embeddedPool(
    transport === 'socket' ? { host: socketDir, port: 5432 } : { stream: () => new WorkerPortStream(worker) },
  );
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Open connections keep the process alive; an idle worker alone does not (PGlite on the caller's thread
  // did not either).
  worker.unref();
  return {
    db,
    pool,
    connector: () => {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ kind: 'connector', port: port2 } satisfies PgliteWorkerCommand, [port2]);
      return port1;
    },
    close: async () => {
      worker.ref();
      await db.destroy();
      const closed = once(worker, 'message');
      worker.postMessage({ kind: 'close' } satisfies PgliteWorkerCommand);
      await Promise.race([closed, exited]);
      await exited;
      if (socketDir !== resolve(dataDir)) rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/**
 * A pool on another thread than the one that opened the database, over a port from
 * {@link EmbeddedDatabase.connector}.
 */
export function connectEmbedded(connector: MessagePort): pg.Pool {
  return embeddedPool({ stream: () => new WorkerPortStream(connector) });
}

function embeddedPool(connection: Pick<pg.PoolConfig, 'stream' | 'host' | 'port'>): pg.Pool {
  // One connection: PGlite is one backend and runs one statement at a time whatever the pool holds.
  const pool = new pg.Pool({
    max: 1,
    user: 'postgres',
    database: 'postgres',
    // Idle connections do not keep the process alive, as PGlite on the caller's thread did not.
    allowExitOnIdle: true,
    ...connection,
  });
  pool.on('error', () => {});
  return pool;
}

async function openInline(dataDir: string): Promise<EmbeddedDatabase> {
  // Loaded only here: the worker modes never load PGlite on this thread.
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  const pglite = new PGlite(dataDir, { postgresqlconf });
  await pglite.waitReady;
  const pool = new pg.Pool(createPgConfig(pglite));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}
