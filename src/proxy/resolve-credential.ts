/**
 * The credential of the upstream call: the instance's central key, put on the request by the provider's
 * `authorize` hook, or under BYOK the user's own key, sent in the slot the client put it in. Only a
 * masked hint of either is ever recorded.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { TokenSource } from '../auth/authenticate.js';
import type { CredentialKind } from '../core/records.js';
import { byokTokenHeader } from '../providers/credential-list.js';
import { keyInSlot, type UpstreamRequest } from '../providers/credentials.js';
import type { ProviderAdapter } from '../providers/index.js';
import { maskSecret } from '../providers/redact.js';
import { proxyError } from './proxy-error.js';

/** How the upstream call authenticates. */
export interface UpstreamCredential {
  kind: CredentialKind;
  /** The key with all but up to four characters at each end masked. */
  hint: string;
  /** Puts the credential on a request whose client credentials were already stripped. */
  authorize(request: UpstreamRequest): UpstreamRequest;
}

/** The user's own key in the first of the provider's slots that holds one. */
function ownKey(input: {
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  adapter: ProviderAdapter;
}): { key: string; authorize(request: UpstreamRequest): UpstreamRequest } | null {
  for (const slot of input.adapter.credentials) {
    const found = slot.in === 'header' ? input.headers[slot.name] : input.query.get(slot.name);
    const value = (Array.isArray(found) ? found[0] : found)?.trim();
    if (!value) continue;
    const key = keyInSlot(slot, value) ?? value;
    if (slot.in === 'query') {
      // A key in the URL would be logged by every hop: it goes upstream the provider's own way instead.
      return { key, authorize: (request) => input.adapter.authorize(request, key) };
    }
    return {
      key,
      authorize: (request) => ({ ...request, headers: { ...request.headers, [slot.name]: value } }),
    };
  }
  return null;
}

/** Decides the upstream credential of a request. */
export function resolveCredential(input: {
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  tokenSource: TokenSource;
  adapter: ProviderAdapter;
  centralKey: string;
  allowByok: boolean;
}): UpstreamCredential {
  const byok = input.tokenSource.in === 'header' && input.tokenSource.name === byokTokenHeader;
  const own = byok ? ownKey(input) : null;
  if (own !== null) {
    if (!input.allowByok) {
      throw proxyError(
        403,
        'Bring-your-own-key is disabled on this bridge; send only your bridge token.',
        'byok_disabled',
      );
    }
    return { kind: 'byok', hint: maskSecret(own.key), authorize: own.authorize };
  }
  const { centralKey, adapter } = input;
  return {
    kind: 'centralized',
    hint: maskSecret(centralKey),
    // Without a central key the request goes upstream unauthenticated and the provider says what is missing.
    authorize: (request) => (centralKey === '' ? request : adapter.authorize(request, centralKey)),
  };
}
