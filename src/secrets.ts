/**
 * The one place secrets are redacted: every log line and every recorded header map goes through here.
 */

/** Headers whose values are credentials. */
const secretHeaders = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-aibridge-token',
  'coder-session-token',
  'cookie',
  'set-cookie',
  'x-goog-api-key',
]);

/** Whether a header carries a credential. */
export function isSecretHeader(name: string): boolean {
  return secretHeaders.has(name.toLowerCase());
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
export const logRedactPaths = [...secretHeaders].flatMap((name) => [
  `req.headers["${name}"]`,
  `headers["${name}"]`,
]);
