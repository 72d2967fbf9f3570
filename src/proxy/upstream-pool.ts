/** One keep-alive connection pool per provider instance, shared by every request to it. */
import type { Readable } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';

/** A provider instance's base URL, split into the pool's origin and the path prefix of every request. */
export class UpstreamPool {
  readonly #pool: Pool;
  readonly #basePath: string;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, {
      // Streams of thinking models pause for minutes; the bridge must not give up before the client does.
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
      keepAliveTimeout: 30_000,
    });
  }

  /** Sends a request; `path` is below the base URL and may carry a query string. */
  request(input: {
    method: Dispatcher.HttpMethod;
    path: string;
    headers: Record<string, string | string[]>;
    /** The whole body, or one forwarded as it arrives. */
    body: Buffer | string | Readable | null;
    signal: AbortSignal;
  }): Promise<Dispatcher.ResponseData> {
    return this.#pool.request({
      method: input.method,
      path: this.#basePath + input.path,
      headers: input.headers,
      body: input.body,
      signal: input.signal,
    });
  }

  /** Closes idle connections and waits for active ones. */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
