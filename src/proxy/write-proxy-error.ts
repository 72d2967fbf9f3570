import type { ServerResponse } from 'node:http';
import type { ProviderAdapter } from '../providers/index.js';
import type { ProxyError } from './proxy-error.js';

/** Writes a provider-shaped error on a response the proxy handles itself (after `reply.hijack()`). */
export function writeProxyError(input: {
  response: ServerResponse;
  adapter: ProviderAdapter;
  error: ProxyError;
  extraHeaders: Record<string, string>;
}): void {
  const { response } = input;
  if (response.destroyed || response.headersSent) {
    response.destroy();
    return;
  }
  const body = input.adapter.errorBody(input.error.toInfo());
  response.writeHead(input.error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...input.extraHeaders,
  });
  response.end(body);
}
