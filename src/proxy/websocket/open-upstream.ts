/**
 * Opens the upstream WebSocket of a client's upgrade: the instance's base URL with the `ws(s)` scheme, the
 * client's headers minus its credentials and the handshake's own, the bridge's credential. Resolves with
 * the open socket and the upgrade response headers to relay, or with why the upstream refused.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { parseJson } from '../../providers/events/parse-json.js';
import type { ProviderAdapter } from '../../providers/index.js';
import { asObject } from '../../providers/json/read-json.js';
import { describeError } from '../describe-error.js';
import type { UpstreamRefusal } from './socket-relay.js';

/** The most of a refusal's body that is read. */
const maxRefusalBody = 64 * 1024;

/** Headers of one hop or of the handshake itself, which each side of the bridge sets on its own. */
export function isHandshakeHeader(name: string): boolean {
  return (
    name.startsWith('sec-websocket-') ||
    ['connection', 'upgrade', 'keep-alive', 'transfer-encoding', 'content-length', 'date'].includes(name)
  );
}

/** An opened upstream, or its refusal. */
export type UpstreamOpening =
  | { kind: 'open'; socket: WebSocket; responseHeaders: [string, string][] }
  | { kind: 'refused'; refusal: UpstreamRefusal };

/** The upstream WebSocket URL of an instance's HTTP base URL and an upstream path (with its query). */
export function upstreamSocketUrl(baseUrl: string, path: string): string {
  const url = new URL(baseUrl);
  const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}${path}`;
}

/** Opens the upstream socket; `signal` aborts the handshake (the client left meanwhile). */
export function openUpstream(input: {
  url: string;
  clientHeaders: IncomingHttpHeaders;
  /** The request headers to send: the client's without its credentials, plus the bridge's credential. */
  upstreamHeaders: Record<string, string | string[]>;
  adapter: ProviderAdapter;
  signal: AbortSignal;
}): Promise<UpstreamOpening> {
  const headers = { ...input.upstreamHeaders };
  for (const name of Object.keys(headers)) if (isHandshakeHeader(name)) delete headers[name];
  const protocols = String(input.clientHeaders['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '');
  return new Promise((resolve) => {
    const socket = new WebSocket(input.url, protocols, {
      headers: headers as Record<string, string>,
      // Codex asks for compression too; `ws`'s default message limit (100 MiB) bounds a single event.
      perMessageDeflate: true,
      handshakeTimeout: 30_000,
    });
    let responseHeaders: [string, string][] = [];
    const onAbort = () => socket.terminate();
    input.signal.addEventListener('abort', onAbort, { once: true });
    const settle = (opening: UpstreamOpening) => {
      input.signal.removeEventListener('abort', onAbort);
      resolve(opening);
    };
    socket.once('upgrade', (response) => {
      responseHeaders = relayedHeaders(response);
    });
    socket.once('open', () => settle({ kind: 'open', socket, responseHeaders }));
    socket.once('unexpected-response', (_request, response) => {
      readRefusal(response, input.adapter).then(
        (refusal) => {
          socket.terminate();
          settle({ kind: 'refused', refusal });
        },
        () => {},
      );
    });
    socket.once('error', (error) => {
      const message = `upstream unreachable: ${describeError(error)}`;
      settle({
        kind: 'refused',
        refusal: {
          status: 502,
          message,
          code: 'upstream_unreachable',
          error: null,
          headers: {},
          upstreamStatus: null,
        },
      });
    });
  });
}

/** The upgrade response headers the client gets too (Codex reads `x-reasoning-included`, `openai-model`…). */
function relayedHeaders(response: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (let index = 0; index + 1 < response.rawHeaders.length; index += 2) {
    const name = response.rawHeaders[index] as string;
    if (!isHandshakeHeader(name.toLowerCase())) out.push([name, response.rawHeaders[index + 1] as string]);
  }
  return out;
}

async function readRefusal(response: IncomingMessage, adapter: ProviderAdapter): Promise<UpstreamRefusal> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (size < maxRefusalBody) chunks.push(chunk);
    size += chunk.length;
  }
  const text = Buffer.concat(chunks).subarray(0, maxRefusalBody).toString('utf8');
  const status = response.statusCode ?? 502;
  const parsed = parseJson(text);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string' && !isHandshakeHeader(name) && !name.startsWith('content-'))
      headers[name] = value;
  }
  return {
    status,
    message: adapter.readErrorMessage(text) ?? (text.trim().slice(0, 2000) || `upstream answered ${status}`),
    code: 'upstream_refused',
    error: parsed.ok ? asObject(asObject(parsed.value)?.error ?? null) : null,
    headers,
    upstreamStatus: status,
  };
}
