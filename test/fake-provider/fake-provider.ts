/**
 * A fake LLM provider on loopback speaking the OpenAI (Chat Completions, Responses and its compaction),
 * Anthropic (Messages) and Google Gemini (generateContent) wire formats from recorded fixtures: SSE framed
 * event by event, blocking JSON bodies, error statuses, streams broken off mid-way, and answers that never come. It keeps every request it received
 * and the exact bytes it sent, so tests can compare what the client saw.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSocketServer, type SocketScenario } from './fake-websocket.js';
import { fixtureEvents, readFixture } from './fixtures.js';

/** How the fake answers one request. */
export type Scenario =
  /** Replays a fixture: `.sse` as a stream (event by event, or in `chunkSize` pieces), `.json` as a body. */
  | { kind: 'fixture'; fixture: string; chunkSize?: number; delayMs?: number }
  /** Answers with a status and body, e.g. a provider error. */
  | { kind: 'status'; status: number; body: string; contentType?: string }
  /** Streams the first `afterEvents` events of a fixture, then destroys the connection. */
  | { kind: 'drop'; fixture: string; afterEvents: number }
  /** Sends headers and the first `afterEvents` events, then waits until the client goes away. */
  | { kind: 'stall'; fixture: string; afterEvents: number };

/** One request the fake received, and what it sent back. */
export interface Exchange {
  method: string;
  path: string;
  /** The request target as received, query string included. */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The body bytes sent (for streams: exactly the bytes written before the end or the drop). */
  sent: Buffer;
  /** Resolves when the fake is done with the exchange (response ended, dropped, or client gone). */
  done: Promise<void>;
  /** Whether the client (the bridge) closed the connection before the response was complete. */
  clientClosed: boolean;
  /** Whether the exchange is over (see `done`). */
  finished: boolean;
}

/** A request body as the fake received it, byte count and all: whether it came whole or broke off. */
export interface Upload {
  method: string;
  path: string;
  received: number;
  state: 'receiving' | 'complete' | 'broken';
}

const defaults: Record<string, { stream: string; blocking: string }> = {
  '/v1/messages': { stream: 'anthropic/stream-text.sse', blocking: 'anthropic/message-thinking-tools.json' },
  '/v1/chat/completions': {
    stream: 'openai-chat/stream-text.sse',
    blocking: 'openai-chat/completion-tools.json',
  },
  '/v1/responses': {
    stream: 'openai-responses/stream-text.sse',
    blocking: 'openai-responses/response-reasoning-tools.json',
  },
  // Remote compaction has no stream: it always answers the compacted history as one body.
  '/v1/responses/compact': {
    stream: 'openai-responses/compact-codex.json',
    blocking: 'openai-responses/compact-codex.json',
  },
};

/** Gemini's generation methods: the model and the method are in the path. */
const geminiGeneration = /^\/v1(?:beta)?\/models\/[^/]+:(generateContent|streamGenerateContent)$/;

const geminiDefaults = {
  stream: 'gemini/stream-text.sse',
  blocking: 'gemini/generate-content-text.json',
};

// `GET /v1beta/models` as Google answers it (one page).
const geminiModels = JSON.stringify({
  models: [
    {
      name: 'models/gemini-2.5-flash',
      version: '001',
      displayName: 'Gemini 2.5 Flash',
      inputTokenLimit: 1048576,
      outputTokenLimit: 65536,
      supportedGenerationMethods: ['generateContent', 'countTokens'],
    },
  ],
});

const models = JSON.stringify({
  object: 'list',
  data: [{ id: 'gpt-4.1', object: 'model', created: 1, owned_by: 'openai' }],
});

// OpenAI's embeddings answer for `encoding_format: "float"`.
const embeddings = JSON.stringify({
  object: 'list',
  data: [{ object: 'embedding', index: 0, embedding: [0.5, -0.25] }],
  model: 'text-embedding-3-small',
  usage: { prompt_tokens: 2, total_tokens: 2 },
});

/** A running fake provider. */
export class FakeProvider {
  readonly exchanges: Exchange[] = [];
  /** Every request body as it arrives, including those that broke off (which make no exchange). */
  readonly uploads: Upload[] = [];
  readonly #uploadEvents = new EventEmitter();
  readonly #server: Server;
  /** The Responses WebSocket transport on `/v1/responses`; its connections are in `sockets.exchanges`. */
  readonly sockets: FakeSocketServer;
  /** Scenarios for the next `response.create` messages on sockets, in order. */
  readonly #socketScript: SocketScenario[] = [];
  /** While set, upgrades are refused with this status and body. */
  socketRefusal: { status: number; body: string } | null = null;
  readonly #script: Scenario[] = [];
  readonly #cache = new Map<string, { events: Buffer[]; whole: Buffer }>();
  #requestCount = 0;
  /** Keep exchanges (turn off for benchmarks, where memory would grow). */
  recordExchanges = true;
  /** Pause between the events of unscripted streams, to keep many of them in flight at once. */
  streamDelayMs = 0;
  /** While set, unscripted streams stop after their first event until it resolves (see holdStreams). */
  #gate: Promise<void> | null = null;

  /**
   * Holds every unscripted stream after its first event until the returned function is called: streams
   * that are certainly in flight, for as long as a test needs, without timing.
   */
  holdStreams(): () => void {
    let release = () => {};
    this.#gate = new Promise<void>((resolve) => {
      release = () => {
        this.#gate = null;
        resolve();
      };
    });
    return release;
  }

  private constructor(server: Server) {
    this.#server = server;
    this.sockets = new FakeSocketServer({
      refusal: () => this.socketRefusal,
      nextScenario: () => this.#socketScript.shift(),
    });
    server.on('upgrade', (request, socket, head) => this.sockets.upgrade(request, socket, head));
  }

  /** Starts a fake provider on a free loopback port. */
  static async start(): Promise<FakeProvider> {
    const server = createServer();
    const fake = new FakeProvider(server);
    server.on('request', (request, response) => {
      fake.#handle(request, response).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Queues scenarios for the next intercepted requests, in order; afterwards the defaults apply again. */
  script(...scenarios: Scenario[]): void {
    this.#script.push(...scenarios);
  }

  /** Queues scenarios for the next `response.create` messages on WebSocket connections, in order. */
  scriptSocket(...scenarios: SocketScenario[]): void {
    this.#socketScript.push(...scenarios);
  }

  /** Resolves with the first upload, received or still arriving, for which `test` holds. */
  waitForUpload(test: (upload: Upload) => boolean): Promise<Upload> {
    const found = this.uploads.find(test);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => {
      const check = (upload: Upload) => {
        if (!test(upload)) return;
        this.#uploadEvents.off('change', check);
        resolve(upload);
      };
      this.#uploadEvents.on('change', check);
    });
  }

  /** The last exchange (throws when there is none). */
  last(): Exchange {
    const exchange = this.exchanges.at(-1);
    if (exchange === undefined) throw new Error('the fake provider received no request');
    return exchange;
  }

  async close(): Promise<void> {
    this.sockets.close();
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const upload: Upload = { method: request.method ?? 'GET', path, received: 0, state: 'receiving' };
    if (this.recordExchanges) this.uploads.push(upload);
    const changed = (state: Upload['state']) => {
      upload.state = state;
      this.#uploadEvents.emit('change', upload);
    };
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of request) {
        chunks.push(chunk as Buffer);
        upload.received += (chunk as Buffer).length;
        this.#uploadEvents.emit('change', upload);
      }
    } catch (error) {
      changed('broken');
      throw error;
    }
    // A connection that ends before the body is whole may end the iteration without an error.
    if (!request.complete) {
      changed('broken');
      return;
    }
    changed('complete');
    const body = Buffer.concat(chunks);
    const sent: Buffer[] = [];
    let finish: () => void = () => {};
    const exchange: Exchange = {
      method: request.method ?? 'GET',
      path,
      url,
      headers: request.headers,
      body,
      sent: Buffer.alloc(0),
      done: new Promise((resolve) => {
        finish = resolve;
      }),
      clientClosed: false,
      finished: false,
    };
    if (this.recordExchanges) this.exchanges.push(exchange);
    response.on('close', () => {
      exchange.clientClosed = !response.writableFinished;
      exchange.sent = Buffer.concat(sent);
      exchange.finished = true;
      finish();
    });
    const write = (bytes: Buffer) => {
      sent.push(bytes);
      return response.write(bytes);
    };
    this.#requestCount += 1;
    // Anthropic names its request id header `request-id`; OpenAI (and Azure) `x-request-id`.
    const requestId = {
      [path.startsWith('/v1/messages') ? 'request-id' : 'x-request-id']: `req_fake_${this.#requestCount}`,
    };
    const credential =
      request.headers.authorization ?? request.headers['x-api-key'] ?? request.headers['x-goog-api-key'];
    if (credential === undefined) {
      return this.#send(
        response,
        write,
        { kind: 'status', status: 401, body: unauthorized(path) },
        requestId,
      );
    }
    // Google's clients use `v1` (the SDKs' default) or `v1beta`; `/v1/models` is Google's when the key
    // came in Google's header.
    const google = request.headers['x-goog-api-key'] !== undefined;
    if (request.method === 'GET' && google && /^\/v1(?:beta)?\/models$/.test(path)) {
      return this.#send(response, write, { kind: 'status', status: 200, body: geminiModels }, requestId);
    }
    if (request.method === 'POST' && /^\/v1(?:beta)?\/models\/[^/]+:countTokens$/.test(path)) {
      const body = '{"totalTokens":42,"promptTokensDetails":[{"modality":"TEXT","tokenCount":42}]}';
      return this.#send(response, write, { kind: 'status', status: 200, body }, requestId);
    }
    const gemini = geminiGeneration.exec(path);
    if (request.method === 'POST' && gemini !== null) {
      // Streams are SSE only with `alt=sse`, which every SDK sends.
      const streaming = gemini[1] === 'streamGenerateContent' && url.includes('alt=sse');
      const scenario: Scenario = this.#script.shift() ?? {
        kind: 'fixture',
        fixture: streaming ? geminiDefaults.stream : geminiDefaults.blocking,
        delayMs: this.streamDelayMs,
      };
      return this.#send(response, write, scenario, requestId);
    }
    if (request.method === 'GET' && path === '/v1/models') {
      return this.#send(response, write, { kind: 'status', status: 200, body: models }, requestId);
    }
    if (request.method === 'POST' && path === '/v1/messages/count_tokens') {
      return this.#send(
        response,
        write,
        { kind: 'status', status: 200, body: '{"input_tokens":42}' },
        requestId,
      );
    }
    if (request.method === 'POST' && path === '/v1/embeddings') {
      return this.#send(response, write, { kind: 'status', status: 200, body: embeddings }, requestId);
    }
    const fallback = defaults[path];
    if (request.method !== 'POST' || fallback === undefined) {
      return this.#send(
        response,
        write,
        { kind: 'status', status: 404, body: '{"error":{"message":"not found"}}' },
        requestId,
      );
    }
    const parsed = JSON.parse(body.toString('utf8')) as {
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    const scenario: Scenario = this.#script.shift() ?? {
      kind: 'fixture',
      fixture: parsed.stream === true ? fallback.stream : fallback.blocking,
      delayMs: this.streamDelayMs,
    };
    // OpenAI sends the usage chunk only to clients that asked for it.
    const omitUsageChunk = path === '/v1/chat/completions' && parsed.stream_options?.include_usage !== true;
    return this.#send(response, write, scenario, requestId, omitUsageChunk);
  }

  async #send(
    response: ServerResponse,
    write: (bytes: Buffer) => boolean,
    scenario: Scenario,
    requestId: Record<string, string>,
    omitUsageChunk = false,
  ): Promise<void> {
    if (scenario.kind === 'status') {
      const bytes = Buffer.from(scenario.body);
      response.writeHead(scenario.status, {
        'content-type': scenario.contentType ?? 'application/json',
        'content-length': bytes.length,
        ...requestId,
      });
      write(bytes);
      response.end();
      return;
    }
    const fixture = this.#fixture(scenario.fixture);
    if (scenario.fixture.endsWith('.json')) {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': fixture.whole.length,
        ...requestId,
      });
      write(fixture.whole);
      response.end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...requestId,
    });
    let events = omitUsageChunk ? fixture.events.filter((event) => !isUsageChunk(event)) : fixture.events;
    if (scenario.kind !== 'fixture') events = events.slice(0, scenario.afterEvents);
    const pieces =
      scenario.kind === 'fixture' && scenario.chunkSize
        ? split(Buffer.concat(events), scenario.chunkSize)
        : events;
    const gate = scenario.kind === 'fixture' ? this.#gate : null;
    for (const [index, piece] of pieces.entries()) {
      if (response.destroyed) return;
      if (!write(piece)) await once(response, 'drain');
      if (index === 0 && gate !== null) await gate;
      if (scenario.kind === 'fixture' && scenario.delayMs)
        await new Promise((resolve) => setTimeout(resolve, scenario.delayMs));
    }
    if (scenario.kind === 'drop') {
      // Let the written events reach the client before the connection breaks off.
      await new Promise((resolve) => setTimeout(resolve, 20));
      response.socket?.destroy();
    } else if (scenario.kind === 'fixture') {
      response.end();
    }
  }

  #fixture(name: string): { events: Buffer[]; whole: Buffer } {
    let cached = this.#cache.get(name);
    if (cached === undefined) {
      const whole = readFixture(name);
      cached = { events: name.endsWith('.sse') ? fixtureEvents(name) : [whole], whole };
      this.#cache.set(name, cached);
    }
    return cached;
  }
}

function isUsageChunk(event: Buffer): boolean {
  return event.includes('"choices":[],"usage":{');
}

function split(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}

function unauthorized(path: string): string {
  const message = 'No API key provided.';
  if (path.startsWith('/v1beta/')) {
    return JSON.stringify({ error: { code: 401, message, status: 'UNAUTHENTICATED' } });
  }
  return path.startsWith('/v1/messages')
    ? JSON.stringify({ type: 'error', error: { type: 'authentication_error', message } })
    : JSON.stringify({ error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } });
}
