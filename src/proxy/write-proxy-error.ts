import type { ServerResponse } from 'node:http';
import type { HttpError } from '../http-error.js';
import type { ProviderAdapter } from '../providers/index.js';
import { errorInfo } from './proxy-error.js';

/** Writes a provider-shaped error on a response the proxy handles itself (after `reply.hijack()`). */
export function writeProxyError(input: {
  response: ServerResponse;
  adapter: ProviderAdapter;
  error: HttpError;
  extraHeaders: Record<string, string>;
}): void {
  const { response } = input;
  if (response.destroyed || response.headersSent) {
    response.destroy();
    return;
  }
  const body = input.adapter.errorBody(errorInfo(input.error));
  response.writeHead(input.error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...input.extraHeaders,
  });
  response.end(body);
}
