/** Which headers cross the bridge, in each direction. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { isSecretQueryPair, secretHeaderNames } from '../providers/credential-list.js';

/** Connection-level headers of one hop (RFC 9110 §7.6.1), never forwarded. */
const hopByHop = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/**
 * Request headers not forwarded upstream: hop-by-hop, the client's host and length (the body may be edited),
 * and every header of the credential list (the upstream credential is set by the bridge). `expect` is
 * answered by the bridge itself.
 */
const notForwarded = new Set([...hopByHop, 'host', 'content-length', 'expect', ...secretHeaderNames]);

/** Response headers not passed to the client: hop-by-hop ones; Node frames the response itself. */
const notReturned = new Set([...hopByHop, 'content-length']);

/**
 * The client's headers to send upstream, credentials stripped (the caller authorizes the request).
 * `keepEncoding: false` drops Accept-Encoding so an intercepted response arrives uncompressed and the
 * parser can read it.
 */
export function upstreamRequestHeaders(input: {
  headers: IncomingHttpHeaders;
  keepEncoding: boolean;
}): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    if (value === undefined || notForwarded.has(name)) continue;
    if (!input.keepEncoding && name === 'accept-encoding') continue;
    out[name] = value;
  }
  return out;
}

/**
 * A query string (`?…` or empty) without the parameters of the credential list (Gemini's `?key=`); the
 * other parameters keep their exact spelling.
 */
export function stripSecretQuery(search: string): string {
  if (search.length <= 1) return search;
  const kept = search
    .slice(1)
    .split('&')
    .filter((pair) => !isSecretQueryPair(pair));
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

/**
 * The upstream response headers to send to the client. Content-Length is kept only when the body goes
 * through unchanged (`keepLength`); without it Node streams the body chunked.
 */
export function clientResponseHeaders(input: {
  headers: Record<string, string | string[] | undefined>;
  keepLength: boolean;
  extra: Record<string, string>;
}): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(input.headers)) {
    if (value === undefined) continue;
    if (notReturned.has(name) && !(input.keepLength && name === 'content-length')) continue;
    out[name] = value;
  }
  return Object.assign(out, input.extra);
}
