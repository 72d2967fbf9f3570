/**
 * The credential of the upstream call (SPEC §3): the instance's central key, or under BYOK the user's own
 * key, sent in the header the client put it in. Only a masked hint of either is ever recorded.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { TokenSource } from '../auth/authenticate.js';
import type { CredentialKind } from '../core/records.js';
import type { ProviderAdapter } from '../providers/index.js';
import { maskSecret } from '../secrets.js';
import { ProxyError } from './proxy-error.js';

/** How the upstream call authenticates. */
export interface UpstreamCredential {
  kind: CredentialKind;
  /** The key with all but up to four characters at each end masked. */
  hint: string;
  /** Headers to add to the upstream request. */
  headers: Record<string, string>;
}

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

/** The user's own provider key when the bridge token came in X-AIBridge-Token, else null. */
function ownKey(headers: IncomingHttpHeaders): { header: string; value: string; key: string } | null {
  const authorization = single(headers, 'authorization');
  if (authorization !== undefined) {
    const key = /^bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim() ?? authorization;
    return { header: 'authorization', value: authorization, key };
  }
  const apiKey = single(headers, 'x-api-key');
  return apiKey === undefined ? null : { header: 'x-api-key', value: apiKey, key: apiKey };
}

/** Decides the upstream credential of a request. */
export function resolveCredential(input: {
  headers: IncomingHttpHeaders;
  tokenSource: TokenSource;
  adapter: ProviderAdapter;
  centralKey: string;
  allowByok: boolean;
}): UpstreamCredential {
  const own = input.tokenSource === 'x-aibridge-token' ? ownKey(input.headers) : null;
  if (own !== null) {
    if (!input.allowByok) {
      throw new ProxyError(
        403,
        'Bring-your-own-key is disabled on this bridge; send only your bridge token.',
        'byok_disabled',
      );
    }
    return { kind: 'byok', hint: maskSecret(own.key), headers: { [own.header]: own.value } };
  }
  // Without a central key the request goes upstream unauthenticated and the provider says what is missing.
  const headers = input.centralKey === '' ? {} : input.adapter.credentialHeaders(input.centralKey);
  return { kind: 'centralized', hint: maskSecret(input.centralKey), headers };
}
