/**
 * The embedded database's own thread: a worker that owns the PGlite instance and speaks the PostgreSQL
 * wire protocol to its clients, so a query or a batch write never blocks the proxy's event loop. Clients
 * reach it over a Unix socket in the data directory (which is also the data directory's single-owner
 * lock) or over a MessagePort handed in by the opening thread.
 *
 * PGlite is one backend: every client shares its session. Messages are therefore executed one client's
 * unit at a time (everything up to a Sync or a simple Query, so one client's unnamed statement and portal
 * are never replaced by another's), and while a client holds a transaction open only its units run.
 * Named prepared statements would be shared too; the store never names them.
 *
 * This file is loaded on its own by `new Worker(...)` (also from the TypeScript sources, by Node's type
 * stripping), so it imports nothing relative.
 */
import { chmodSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** What the opening thread passes in `workerData`. */
export interface PgliteWorkerInput {
  dataDir: string;
  socketPath: string;
  postgresqlconf: string[];
}

/** Messages to the opening thread. */
export type PgliteWorkerReport =
  | { kind: 'ready' }
  | { kind: 'failed'; message: string; inUse: boolean }
  | { kind: 'closed' };

/**
 * Messages from the opening thread. `connector`: a port on which another thread (the recorder's writer)
 * sends `connect` messages of its own.
 */
export type PgliteWorkerCommand =
  | { kind: 'connect'; port: MessagePort }
  | { kind: 'connector'; port: MessagePort }
  | { kind: 'close' };

const sslRequestCode = 80877103;
const cancelRequestCode = 80877102;
const protocolVersion3 = 196608;

interface Client {
  send(bytes: Uint8Array): void;
  end(): void;
}

interface Unit {
  client: Client;
  messages: Buffer[];
}

/** Runs clients' units on the one PGlite backend, in arrival order, a transaction's owner exclusively. */
class Scheduler {
  readonly #pglite: PGlite;
  #queue: Unit[] = [];
  #running: Promise<void> | null = null;
  #owner: Client | null = null;
  #closing = false;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  submit(unit: Unit): void {
    this.#queue.push(unit);
    this.#run();
  }

  /** Forgets a client that went away; rolls back a transaction it left open. */
  async forget(client: Client): Promise<void> {
    this.#queue = this.#queue.filter((unit) => unit.client !== client);
    await this.idle();
    if (this.#closing) return;
    if (this.#owner === client) {
      this.#owner = null;
      if (this.#pglite.isInTransaction()) await this.#pglite.exec('ROLLBACK');
    }
    this.#run();
  }

  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  /** Finishes the units queued so far and runs nothing after. */
  async close(): Promise<void> {
    await this.idle();
    this.#closing = true;
    this.#queue = [];
  }

  #run(): void {
    if (this.#running !== null) return;
    this.#running = this.#drain().finally(() => {
      this.#running = null;
    });
  }

  async #drain(): Promise<void> {
    for (;;) {
      const exclusive = this.#owner !== null && this.#pglite.isInTransaction();
      const index = exclusive ? this.#queue.findIndex((unit) => unit.client === this.#owner) : 0;
      const unit = index >= 0 ? this.#queue[index] : undefined;
      if (unit === undefined || this.#closing) return;
      this.#queue.splice(index, 1);
      this.#owner = unit.client;
      try {
        // The answers of a unit go out together: the client waits for the last one anyway, and one message
        // across threads or one socket write costs less than one per protocol message.
        const answers: Uint8Array[] = [];
        for (const message of unit.messages) {
          await this.#pglite.execProtocolRawStream(message, {
            // A view into PGlite's WebAssembly memory, which the next statement overwrites: keep a copy.
            onRawData: (data) => answers.push(new Uint8Array(data)),
          });
        }
        unit.client.send(joined(answers));
      } catch {
        // PGlite answers SQL errors in the protocol; a throw means this client's stream is beyond repair.
        unit.client.end();
      }
    }
  }
}

/** The chunks in one Uint8Array that owns its whole ArrayBuffer (so it can be transferred as it is). */
function joined(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const all = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/**
 * Cuts a client's byte stream into messages and its messages into units. The first message of a
 * connection has no type byte (startup, SSL or cancel request).
 */
class Framer {
  #buffer: Buffer = Buffer.alloc(0);
  #started = false;
  #unit: Buffer[] = [];
  readonly #client: Client;
  readonly #scheduler: Scheduler;

  constructor(client: Client, scheduler: Scheduler) {
    this.#client = client;
    this.#scheduler = scheduler;
  }

  receive(chunk: Uint8Array): void {
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (!this.#started) {
        if (this.#buffer.length < 8) return;
        const length = this.#buffer.readInt32BE(0);
        if (this.#buffer.length < length) return;
        const code = this.#buffer.readInt32BE(4);
        const message = this.#buffer.subarray(0, length);
        this.#buffer = this.#buffer.subarray(length);
        if (code === sslRequestCode) {
          this.#client.send(Buffer.from('N'));
        } else if (code === cancelRequestCode) {
          // No backend process to signal: a cancel cannot interrupt PGlite. The protocol expects no answer.
          this.#client.end();
          return;
        } else if (code === protocolVersion3) {
          this.#started = true;
          this.#scheduler.submit({ client: this.#client, messages: [message] });
        } else {
          this.#client.end();
          return;
        }
        continue;
      }
      if (this.#buffer.length < 5) return;
      const length = 1 + this.#buffer.readInt32BE(1);
      if (this.#buffer.length < length) return;
      const type = String.fromCharCode(this.#buffer[0] as number);
      const message = this.#buffer.subarray(0, length);
      this.#buffer = this.#buffer.subarray(length);
      if (type === 'X') {
        this.#client.end();
        return;
      }
      this.#unit.push(message);
      // Sync, a simple Query and Flush are where the client waits for answers.
      if (type === 'S' || type === 'Q' || type === 'H') {
        this.#scheduler.submit({ client: this.#client, messages: this.#unit });
        this.#unit = [];
      }
    }
  }
}

/** Listens on the socket; a live server already there means another process owns the data directory. */
async function listenExclusively(server: Server, path: string): Promise<void> {
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    if (await answers(path)) throw new DataDirInUse();
    // Left behind by a process that died: nobody answers on it.
    rmSync(path, { force: true });
    await listen();
  }
  chmodSync(path, 0o600);
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

class DataDirInUse extends Error {}

async function main(): Promise<void> {
  const input = workerData as PgliteWorkerInput;
  const port = parentPort;
  if (port === null) throw new Error('pglite-worker.ts runs only as a worker thread');
  const report = (message: PgliteWorkerReport) => port.postMessage(message);
  const sockets = new Set<Socket>();
  const server = createServer();
  let pglite: PGlite;
  try {
    await listenExclusively(server, input.socketPath);
    pglite = new PGlite(input.dataDir, { postgresqlconf: input.postgresqlconf });
    await pglite.waitReady;
  } catch (error) {
    server.close();
    report({
      kind: 'failed',
      message: error instanceof Error ? error.message : String(error),
      inUse: error instanceof DataDirInUse,
    });
    return;
  }
  const scheduler = new Scheduler(pglite);

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const client: Client = {
      send: (bytes) => {
        if (socket.writable) socket.write(bytes);
      },
      end: () => socket.end(),
    };
    const framer = new Framer(client, scheduler);
    socket.on('data', (chunk) => framer.receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      void scheduler.forget(client);
    });
  });

  const ports = new Set<MessagePort>();
  const connectors = new Set<MessagePort>();
  const accept = (channel: MessagePort) => {
    ports.add(channel);
    const client: Client = {
      // Transferred, not cloned. Bytes that share their ArrayBuffer (a pooled Buffer) are copied first: a
      // transfer moves the whole ArrayBuffer.
      send: (bytes) => {
        const own =
          bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
            ? bytes
            : new Uint8Array(bytes);
        channel.postMessage(own, [own.buffer as ArrayBuffer]);
      },
      end: () => channel.close(),
    };
    const framer = new Framer(client, scheduler);
    channel.on('message', (chunk: Uint8Array) => framer.receive(chunk));
    channel.on('close', () => {
      ports.delete(channel);
      void scheduler.forget(client);
    });
  };
  port.on('message', async (command: PgliteWorkerCommand) => {
    if (command.kind === 'connect') {
      accept(command.port);
      return;
    }
    if (command.kind === 'connector') {
      const connector = command.port;
      connectors.add(connector);
      connector.on('message', (request: PgliteWorkerCommand) => {
        if (request.kind === 'connect') accept(request.port);
      });
      connector.on('close', () => connectors.delete(connector));
      return;
    }
    // Close: stop accepting, let the work already queued finish, then close the database.
    for (const connector of connectors) connector.close();
    server.close();
    await scheduler.close();
    for (const socket of sockets) socket.end();
    for (const channel of ports) channel.close();
    await pglite.close();
    rmSync(input.socketPath, { force: true });
    report({ kind: 'closed' });
    port.close();
  });
  report({ kind: 'ready' });
}

await main();
