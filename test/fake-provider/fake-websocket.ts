/**
 * The fake provider's Responses WebSocket transport (`GET /v1/responses` upgraded), as OpenAI serves it:
 * each `response.create` message is answered with the events of a stream fixture, one JSON text message
 * per event (the `data` of each SSE event), or with an `{"type":"error","status":…}` message.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeFixture } from './fixtures.js';

/** How the fake answers one `response.create` on a socket. */
export type SocketScenario =
  /** Replays a stream fixture, one message per event, `delayMs` apart. */
  | { kind: 'fixture'; fixture: string; delayMs?: number }
  /** Answers with an error message of this status and the `error` object of `body`. */
  | { kind: 'status'; status: number; body: string }
  /** Sends the first `afterEvents` events of a fixture, then drops the connection (no close frame). */
  | { kind: 'drop'; fixture: string; afterEvents: number }
  /** Sends the first `afterEvents` events, then waits until the client goes away. */
  | { kind: 'stall'; fixture: string; afterEvents: number };

/** One WebSocket connection the fake accepted, with every message received and sent. */
export interface SocketExchange {
  path: string;
  /** The upgrade request's headers. */
  headers: IncomingMessage['headers'];
  received: string[];
  sent: string[];
  /** The close code the fake saw (1006 when the connection dropped without a close frame). */
  closeCode: number | null;
  closed: Promise<void>;
}

/** What the fake answers the upgrade itself with. */
export interface SocketOptions {
  /** Refuse the next upgrades with this status and body instead of accepting them. */
  refusal(): { status: number; body: string } | null;
  /** The scenario of the next `response.create` that is not a warm-up, when one is scripted. */
  nextScenario(): SocketScenario | undefined;
}

/** Upgrade response headers as OpenAI sends them; Codex reads these. */
export const fakeSocketHeaders: Record<string, string> = {
  'x-reasoning-included': 'true',
  'openai-model': 'gpt-5.5-codex',
  'x-models-etag': 'fake-models-etag',
};

/** Accepts Responses WebSocket upgrades for a fake provider's HTTP server. */
export class FakeSocketServer {
  readonly exchanges: SocketExchange[] = [];
  readonly #server = new WebSocketServer({ noServer: true, perMessageDeflate: true });
  readonly #options: SocketOptions;
  #requestCount = 0;

  constructor(options: SocketOptions) {
    this.#options = options;
    this.#server.on('headers', (lines) => {
      for (const [name, value] of Object.entries(fakeSocketHeaders)) lines.push(`${name}: ${value}`);
    });
  }

  /** Handles one upgrade request of the HTTP server. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const refusal = this.#options.refusal();
    const authorized = request.headers.authorization !== undefined;
    if (refusal !== null || !authorized || path !== '/v1/responses') {
      const status = refusal?.status ?? (authorized ? 404 : 401);
      const body =
        refusal?.body ??
        JSON.stringify({ error: { message: authorized ? 'not found' : 'No API key provided.', code: null } });
      socket.end(
        `HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\nx-request-id: req_fake_ws\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.#server.handleUpgrade(request, socket, head, (client) => {
      let resolveClosed: () => void = () => {};
      const exchange: SocketExchange = {
        path,
        headers: request.headers,
        received: [],
        sent: [],
        closeCode: null,
        closed: new Promise((resolve) => {
          resolveClosed = resolve;
        }),
      };
      this.exchanges.push(exchange);
      client.on('close', (code) => {
        exchange.closeCode = code;
        resolveClosed();
      });
      client.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        exchange.received.push(text);
        const message = JSON.parse(text) as { type?: string; generate?: boolean };
        if (message.type !== 'response.create') return;
        // A warm-up is answered the same way whatever is scripted: it generates nothing.
        const scenario: SocketScenario =
          message.generate === false
            ? { kind: 'fixture', fixture: 'openai-responses/stream-warmup.sse' }
            : (this.#options.nextScenario() ?? {
                kind: 'fixture',
                fixture: 'openai-responses/stream-text.sse',
              });
        this.#answer(client, exchange, scenario);
      });
    });
  }

  #answer(client: WebSocket, exchange: SocketExchange, scenario: SocketScenario): void {
    this.#requestCount += 1;
    /** Sends one message; resolves once it is written to the socket (compression is asynchronous). */
    const send = (text: string) => {
      exchange.sent.push(text);
      return new Promise<void>((resolve) => client.send(text, () => resolve()));
    };
    if (scenario.kind === 'status') {
      const error = (JSON.parse(scenario.body) as { error?: unknown }).error ?? null;
      void send(
        JSON.stringify({
          type: 'error',
          status: scenario.status,
          error,
          headers: { 'x-request-id': `req_fake_ws_${this.#requestCount}` },
        }),
      );
      return;
    }
    const events = decodeFixture(scenario.fixture, 4096).map((event) => event.text);
    const count = scenario.kind === 'fixture' ? events.length : scenario.afterEvents;
    const delayMs = scenario.kind === 'fixture' ? (scenario.delayMs ?? 0) : 0;
    void (async () => {
      for (const event of events.slice(0, count)) {
        if (client.readyState !== WebSocket.OPEN) return;
        const written = send(event);
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        // A drop must come after every event is on the wire, however slow compression is under load.
        if (scenario.kind === 'drop') await written;
      }
      if (scenario.kind === 'drop') client.terminate();
    })();
  }

  /** Cuts every open connection. */
  close(): void {
    for (const client of this.#server.clients) client.terminate();
    this.#server.close();
  }
}
