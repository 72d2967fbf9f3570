/**
 * Relays one client WebSocket to its upstream WebSocket: every message goes across unchanged, as it
 * arrives, in both directions; a side whose peer's send buffer is full stops being read until it drains.
 * Beside the relay, each `response.create` becomes an interception fed by the server messages that answer
 * it, recorded when its terminal event has been relayed (or when either side leaves before that).
 */
import WebSocket from 'ws';
import { describeError } from '../describe-error.js';
import {
  recordTurn,
  type SocketConnection,
  type SocketTurn,
  startTurn,
  type TurnEnding,
} from './record-socket-turn.js';
import { relayMessage } from './relay-message.js';
import {
  errorMessage,
  errorMessageStatus,
  feedServerMessage,
  readClientMessage,
  responseCreateType,
} from './responses-socket-protocol.js';

/** An upstream that refused the upgrade (or could not be reached): each request is answered with it. */
export interface UpstreamRefusal {
  status: number;
  message: string;
  code: string;
  /** The upstream's `error` object, relayed as it is. */
  error: Record<string, unknown> | null;
  headers: Record<string, string>;
  /** The status the upstream answered the upgrade with; null when it could not be reached. */
  upstreamStatus: number | null;
}

/** Everything a relay needs. */
export interface SocketRelayInput {
  connection: SocketConnection;
  client: WebSocket;
  /** Null when the upstream refused the upgrade (`refusal` says how). */
  upstream: WebSocket | null;
  refusal: UpstreamRefusal | null;
}

const refusedWithoutReason: UpstreamRefusal = {
  status: 502,
  message: 'the bridge has no upstream connection',
  code: 'upstream_unreachable',
  error: null,
  headers: {},
  upstreamStatus: null,
};

/** One relayed connection. */
export class SocketRelay {
  readonly #connection: SocketConnection;
  readonly #client: WebSocket;
  readonly #upstream: WebSocket | null;
  readonly #refusal: UpstreamRefusal | null;
  /** Requests sent upstream and not answered yet, oldest first: a connection answers them in order. */
  readonly #pending: SocketTurn[] = [];
  #shuttingDown = false;
  /** Resolves once both sockets are closed. */
  readonly closed: Promise<void>;

  constructor(input: SocketRelayInput) {
    this.#connection = input.connection;
    this.#client = input.client;
    this.#upstream = input.upstream;
    this.#refusal = input.refusal;
    const { client, upstream } = input;
    client.on('message', (data: Buffer, isBinary) => this.#onClientMessage(data, isBinary));
    client.on('close', (code) => this.#onClientClose(code));
    client.on('error', (error) => this.#log('debug', error, 'websocket client connection failed'));
    upstream?.on('message', (data: Buffer, isBinary) => this.#onUpstreamMessage(data, isBinary));
    upstream?.on('close', (code, reason) => this.#onUpstreamClose(code, reason.toString('utf8')));
    upstream?.on('error', (error) => this.#log('warn', error, 'websocket upstream connection failed'));
    this.closed = Promise.all([closedPromise(client), upstream && closedPromise(upstream)]).then(() => {});
  }

  /** Graceful shutdown: no new requests; the connection closes once its requests in flight are answered. */
  shutDown(): void {
    this.#shuttingDown = true;
    if (this.#pending.length === 0) this.#closeBoth(1001, 'server shutting down');
  }

  /** The end of the grace period: requests still in flight are recorded as failed, both sockets cut. */
  terminate(): void {
    this.#failPending({ error: 'the bridge shut down before the response was complete' });
    this.#client.terminate();
    this.#upstream?.terminate();
  }

  #onClientMessage(data: Buffer, isBinary: boolean): void {
    const message = isBinary ? null : readClientMessage(data.toString('utf8'));
    if (message?.type !== responseCreateType || message.body === null) {
      if (this.#upstream !== null) relayMessage(this.#client, this.#upstream, data, isBinary);
      return;
    }
    const { context } = this.#connection.state;
    if (this.#shuttingDown) {
      this.#sendError({ status: 503, message: 'The bridge is shutting down.', code: 'bridge_shutting_down' });
      return;
    }
    const turn = startTurn(this.#connection, { body: message.body, text: message.text });
    // Admitted last, right before the turn is sent: from here on it is recorded whatever happens.
    if (!context.recorder.admit()) {
      this.#sendError({
        status: 503,
        message: 'The bridge cannot record more requests right now; retry shortly.',
        code: 'recorder_queue_full',
      });
      return;
    }
    const refusal = this.#refusal;
    if (this.#upstream === null || refusal !== null) {
      const answer = refusal ?? refusedWithoutReason;
      this.#sendError(answer);
      this.#finish(turn, { upstreamStatus: answer.upstreamStatus, error: answer.message, read: false });
      return;
    }
    this.#pending.push(turn);
    relayMessage(this.#client, this.#upstream, data, isBinary);
  }

  #onUpstreamMessage(data: Buffer, isBinary: boolean): void {
    relayMessage(this.#upstream as WebSocket, this.#client, data, isBinary);
    const turn = this.#pending[0];
    if (turn === undefined || isBinary) return;
    const text = data.toString('utf8');
    let complete: boolean;
    try {
      feedServerMessage(turn.parser, text);
      complete = turn.parser.isComplete();
    } catch (error) {
      // A parser that throws costs the record its detail, never the client its stream.
      turn.problems.push(`parser failed on a websocket message: ${describeError(error)}`);
      this.#log('warn', error, 'parser failed on a websocket message');
      complete = false;
    }
    if (!complete) return;
    this.#pending.shift();
    // A response answered over the socket counts as the 200 of its HTTP twin; an error message has its own.
    this.#finish(turn, { upstreamStatus: errorMessageStatus(text) ?? 200, error: null, read: true });
    if (this.#shuttingDown && this.#pending.length === 0) this.#closeBoth(1001, 'server shutting down');
  }

  #onClientClose(code: number): void {
    // Codex drops the connection without a close frame once its last response completed: nothing pending,
    // nothing to record. A request still in flight was left by its client.
    const left = this.#pending.length > 0;
    this.#failPending({
      error: 'client disconnected before the response was complete',
      metadata: { client_disconnected: true },
    });
    const upstream = this.#upstream;
    if (upstream === null) return;
    if (left) upstream.terminate();
    else closeQuietly(upstream, sendableCode(code, 1000), '');
  }

  #onUpstreamClose(code: number, reason: string): void {
    if (this.#pending.length > 0) {
      const message = `upstream closed the connection before the response was complete (close code ${code})`;
      this.#sendError({ status: 502, message, code: 'upstream_stream_failed' });
      this.#failPending({ error: message });
      closeQuietly(this.#client, 1011, 'upstream connection lost');
      return;
    }
    closeQuietly(this.#client, sendableCode(code, 1011), reason);
  }

  #failPending(ending: { error: string; metadata?: Record<string, boolean> }): void {
    for (const turn of this.#pending.splice(0)) {
      this.#finish(turn, {
        upstreamStatus: null,
        error: ending.error,
        metadata: ending.metadata,
        read: true,
      });
    }
  }

  #finish(turn: SocketTurn, ending: TurnEnding): void {
    recordTurn(this.#connection, turn, ending).catch((error: unknown) => {
      this.#log('error', error, 'recording a websocket response failed');
    });
  }

  #sendError(error: Parameters<typeof errorMessage>[0]): void {
    if (this.#client.readyState === WebSocket.OPEN) this.#client.send(errorMessage(error));
  }

  #closeBoth(code: number, reason: string): void {
    closeQuietly(this.#client, code, reason);
    if (this.#upstream !== null) closeQuietly(this.#upstream, code, reason);
  }

  #log(level: 'debug' | 'warn' | 'error', error: unknown, message: string): void {
    this.#connection.state.context.logger[level](
      { connectionId: this.#connection.connectionId, err: describeError(error) },
      message,
    );
  }
}

/** Codes a close frame may carry; 1005, 1006 and 1015 only report what happened locally. */
function sendableCode(code: number, fallback: number): number {
  const valid =
    (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
  return valid ? code : fallback;
}

function closeQuietly(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
  // A close reason is at most 123 bytes.
  socket.close(code, Buffer.from(reason).subarray(0, 123).toString('utf8'));
}

function closedPromise(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
