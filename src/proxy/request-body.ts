/**
 * Reading a proxy request's body, two ways. Bodies the bridge may edit are read whole before anything goes
 * upstream ({@link readWholeBody}). Bodies it never edits are left unread by the content-type parser
 * ({@link StreamedBody}) and forwarded as they arrive while a copy is decoded beside the forward
 * ({@link BodyForward}); the last chunk is held back until the intercept has read the whole body and let
 * the interception in, so a body that turns out invalid, or a request the recorder cannot take, never
 * reaches the provider complete.
 */
import type { Readable } from 'node:stream';
import { proxyError } from './proxy-error.js';

const tooLarge = () => proxyError(413, 'Request body is too large.', 'request_too_large');
const lengthMismatch = () =>
  proxyError(400, 'Request body does not match its Content-Length.', 'invalid_request_body');
const notUtf8 = () => proxyError(400, 'Request body must be valid UTF-8 JSON.', 'invalid_request_body');

/** The Content-Length a request declares, or null (chunked, absent or unreadable). */
export function declaredLength(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/** A body the content-type parser left unread: the intercept forwards it as it arrives. */
export class StreamedBody {
  constructor(
    readonly stream: Readable,
    /** The request's Content-Length, already checked against the limit. */
    readonly length: number | null,
  ) {}
}

/** The client went away before its body was whole: nothing to answer, nothing to record. */
export class BodyAborted extends Error {
  constructor() {
    super('the client closed the connection before its request body was complete');
  }
}

/**
 * Reads a body whole, with the checks Fastify's own parser makes: the limit (413, also while reading a
 * chunked body) and a body shorter or longer than its Content-Length (400).
 */
export function readWholeBody(stream: Readable, limit: number, length: number | null): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (length !== null && size !== length) reject(lengthMismatch());
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = () => {
      cleanup();
      reject(new BodyAborted());
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.resume();
  });
}

interface Settle {
  resolve(text: string): void;
  reject(error: Error): void;
}

/**
 * Forwards a body upstream as it arrives and decodes a copy beside the forward.
 *
 * The reader takes every chunk as the client sends it (the whole body is bounded by the limit, and is
 * kept as text anyway), checks the limit and decodes UTF-8 incrementally, so only the JSON parse is left
 * once the last chunk is in. {@link upload} is the upstream request's body: every chunk but the latest
 * goes on at once; the last one waits for {@link release}. {@link fail} ends the upload with an error,
 * which makes the HTTP client abort the request: the provider sees a body cut short, never a whole one.
 *
 * `onForwardable` is called once, when a chunk can go on (a second one arrived). A body that is whole
 * before that (one read from the socket: every small body) has nothing to overlap, and goes upstream in
 * one write from {@link wholeBody} instead, as a body read whole does.
 */
export class BodyForward {
  /** The whole body as text, once it is in and valid UTF-8 within the limit. */
  readonly text: Promise<string>;
  readonly #queue: Buffer[] = [];
  readonly #parts: string[] = [];
  readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  #size = 0;
  #ended = false;
  #released = false;
  #failure: Error | null = null;
  #wake: (() => void) | null = null;
  #settle: Settle;
  #onForwardable: (() => void) | null;
  #streaming = false;

  constructor(input: {
    stream: Readable;
    limit: number;
    length: number | null;
    onForwardable: () => void;
  }) {
    const { stream, limit, length } = input;
    this.#onForwardable = input.onForwardable;
    let settle!: Settle;
    this.text = new Promise<string>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Handled by whoever awaits it; a failure the intercept never reaches (the upstream failed first) is
    // no unhandled rejection.
    this.text.catch(() => {});
    this.#settle = settle;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onAborted);
      stream.off('close', onClose);
    };
    const stop = (error: Error) => {
      cleanup();
      this.fail(error);
    };
    const onData = (chunk: Buffer) => {
      this.#size += chunk.length;
      if (this.#size > limit) return stop(tooLarge());
      try {
        this.#parts.push(this.#decoder.decode(chunk, { stream: true }));
      } catch {
        return stop(notUtf8());
      }
      this.#queue.push(chunk);
      if (this.#queue.length > 1 && this.#onForwardable !== null) {
        const forwardable = this.#onForwardable;
        this.#onForwardable = null;
        this.#streaming = true;
        forwardable();
      }
      this.#notify();
    };
    const onEnd = () => {
      cleanup();
      if (length !== null && this.#size !== length) return this.fail(lengthMismatch());
      try {
        this.#parts.push(this.#decoder.decode());
      } catch {
        return this.fail(notUtf8());
      }
      this.#ended = true;
      this.#settle.resolve(this.#parts.join(''));
      this.#parts.length = 0;
      this.#notify();
    };
    const onAborted = () => stop(new BodyAborted());
    const onClose = () => {
      if (!this.#ended) stop(new BodyAborted());
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onAborted);
    stream.once('close', onClose);
    stream.resume();
  }

  /** Whether the upload started (see `onForwardable`). */
  get streaming(): boolean {
    return this.#streaming;
  }

  /** The whole body when the upload never started, for one write upstream. */
  wholeBody(): Buffer {
    if (this.streaming || !this.#ended) throw new Error('the body is being forwarded or not whole yet');
    this.#onForwardable = null;
    const bytes = this.#queue.length === 1 ? (this.#queue[0] as Buffer) : Buffer.concat(this.#queue);
    this.#queue.length = 0;
    return bytes;
  }

  /** Lets the held-back last chunk go: the body was read and the interception let in. */
  release(): void {
    this.#released = true;
    this.#notify();
  }

  /** Ends the forward with `error`: the upload throws it, and {@link text} rejects with it if still open. */
  fail(error: Error): void {
    if (this.#failure !== null) return;
    this.#failure = error;
    this.#queue.length = 0;
    if (!this.#ended) this.#settle.reject(error);
    this.#notify();
  }

  /** The upstream request's body. */
  async *upload(): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.#failure !== null) throw this.#failure;
      const whole = this.#ended && this.#released;
      const ready = this.#queue.length - (whole ? 0 : 1);
      if (ready > 0) {
        // What piled up since the last write goes in one: a write (a system call) per chunk costs more
        // than the copy when the client's bytes come faster than the upstream takes them.
        const chunks = this.#queue.splice(0, ready);
        yield chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        continue;
      }
      if (whole) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
