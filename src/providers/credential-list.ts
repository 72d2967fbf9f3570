/**
 * The one list of places a request can carry a secret, derived from the providers' credential slots plus
 * the bridge's own headers. Authentication reads tokens from it, forwarding strips it, logging redacts it.
 */
import type { CredentialSlot } from './credentials.js';
import { providerAdapters } from './index.js';

/** Where a client puts its bridge token when the provider's own slot holds the user's own key (BYOK). */
export const byokTokenHeader = 'x-aibridge-token';

/** The bridge's own token header on its API routes (Coder's name for it). */
export const sessionTokenHeader = 'coder-session-token';

/** Headers that carry secrets without being a provider's slot: proxies', cookies, Azure OpenAI's key. */
const otherSecretHeaders = ['proxy-authorization', 'cookie', 'set-cookie', 'api-key'];

function unique(slots: readonly CredentialSlot[]): CredentialSlot[] {
  const seen = new Set<string>();
  return slots.filter((slot) => {
    const key = `${slot.in}:${slot.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const providerSlots = unique(providerAdapters.flatMap((adapter) => adapter.credentials));

/**
 * Where a proxy request's bridge token is looked for, in order: the BYOK header first (the provider's slot
 * then holds the user's own key), the session header, then every provider's slots.
 */
export const proxyTokenSlots: readonly CredentialSlot[] = unique([
  { in: 'header', name: byokTokenHeader },
  { in: 'header', name: sessionTokenHeader },
  ...providerSlots,
]);

/** Where an API request's bridge token is looked for, in order. */
export const apiTokenSlots: readonly CredentialSlot[] = [
  { in: 'header', name: sessionTokenHeader },
  { in: 'header', name: 'authorization', scheme: 'Bearer' },
];

/** Every header whose value is a secret (lowercase): never forwarded upstream as received, never logged. */
export const secretHeaderNames: ReadonlySet<string> = new Set([
  ...proxyTokenSlots.flatMap((slot) => (slot.in === 'header' ? [slot.name] : [])),
  ...otherSecretHeaders,
]);

/** Every query parameter whose value is a secret: stripped before forwarding, never logged. */
export const secretQueryNames: ReadonlySet<string> = new Set(
  providerSlots.flatMap((slot) => (slot.in === 'query' ? [slot.name] : [])),
);

/** Whether one `name=value` pair of a query string carries a secret (its name decoded, as servers read it). */
export function isSecretQueryPair(pair: string): boolean {
  const name = pair.split('=', 1)[0] ?? '';
  try {
    return secretQueryNames.has(decodeURIComponent(name.replaceAll('+', ' ')));
  } catch {
    // A malformed escape decodes to no name a server would read as a credential.
    return secretQueryNames.has(name);
  }
}
