/**
 * The one place secrets are redacted: every log line and every recorded header map goes through here.
 * Which headers and query parameters are secret comes from the one credential list of the providers.
 */
import { isSecretQueryPair, secretHeaderNames } from './credential-list.js';

/** Whether a header carries a credential. */
export function isSecretHeader(name: string): boolean {
  return secretHeaderNames.has(name.toLowerCase());
}

/** A URL or path with the value of every credential query parameter (`?key=`) replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return url;
  const pairs = url
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => (isSecretQueryPair(pair) ? `${pair.split('=', 1)[0]}=[redacted]` : pair));
  return `${url.slice(0, queryAt)}?${pairs.join('&')}`;
}

/** A copy of the headers with every credential replaced by `[redacted]`. */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = isSecretHeader(name) ? '[redacted]' : value;
  }
  return out;
}

/** A key with all but up to four characters at each end masked: `sk-a...wxyz`. Short keys show less. */
export function maskSecret(secret: string): string {
  if (secret.length === 0) return '';
  const visible = Math.min(4, Math.floor(secret.length / 4));
  if (visible === 0) return '...';
  return `${secret.slice(0, visible)}...${secret.slice(-visible)}`;
}

/** pino redaction paths for request logs, derived from the same header list. */
export const logRedactPaths = [...secretHeaderNames].flatMap((name) => [
  `req.headers["${name}"]`,
  `headers["${name}"]`,
]);
