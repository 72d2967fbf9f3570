/**
 * Where a request carries a key, and how the bridge puts one on an upstream request. A provider lists its
 * slots once; the bridge reads its token from them, strips them before forwarding and redacts them in
 * logs (see credential-list.ts).
 */

/** A header or query parameter that carries a key (a bridge token, a user's own key, the central key). */
export type CredentialSlot =
  | { in: 'header'; name: string; scheme?: 'Bearer' }
  | { in: 'query'; name: string };

/** A request about to go upstream, as a provider's `authorize` hook sees and returns it. */
export interface UpstreamRequest {
  method: string;
  /** Path below the base URL, with the query string. */
  path: string;
  headers: Record<string, string | string[]>;
  body: Buffer | string | null;
}

/** The key in a slot's value: the token after `Bearer `, or the whole value. */
export function keyInSlot(slot: CredentialSlot, value: string): string | undefined {
  const trimmed = value.trim();
  if (slot.in === 'header' && slot.scheme === 'Bearer') {
    return /^bearer\s+(.+)$/i.exec(trimmed)?.[1]?.trim() || undefined;
  }
  return trimmed || undefined;
}

/** An `authorize` hook that sets one static header, e.g. `x-api-key: <key>`. */
export function authorizeWithHeader(
  slot: CredentialSlot & { in: 'header' },
): (request: UpstreamRequest, key: string) => UpstreamRequest {
  const value = (key: string) => (slot.scheme === undefined ? key : `${slot.scheme} ${key}`);
  return (request, key) => ({ ...request, headers: { ...request.headers, [slot.name]: value(key) } });
}
