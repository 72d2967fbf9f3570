/**
 * Allow-listed paths of an instance that generate nothing (`/v1/models`, `/v1/messages/count_tokens`, and
 * what the instance's configuration adds): forwarded with the upstream credential and streamed back
 * untouched, not recorded.
 */
import { pipeline } from 'node:stream/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { describeError } from './describe-error.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './forward-headers.js';
import { proxyError } from './proxy-error.js';
import type { ProxyRoute } from './proxy-state.js';
import type { UpstreamCredential } from './resolve-credential.js';
import { writeProxyError } from './write-proxy-error.js';

/** Forwards a request below an instance root (its path already confined) to the same path upstream. */
export async function passThrough(input: {
  route: ProxyRoute;
  /** Path below the instance root with the query string, credentials stripped. */
  path: string;
  credential: UpstreamCredential;
  request: FastifyRequest;
  reply: FastifyReply;
}): Promise<void> {
  const { route, request, reply } = input;
  reply.hijack();
  const response = reply.raw;
  const abort = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  let upstream: Dispatcher.ResponseData;
  try {
    const authorized = input.credential.authorize({
      method: request.method,
      path: route.adapter.upstreamPath(input.path),
      headers: upstreamRequestHeaders({ headers: request.headers, keepEncoding: true }),
      body: Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : null,
    });
    upstream = await route.pool.request({
      method: request.method as Dispatcher.HttpMethod,
      path: authorized.path,
      headers: authorized.headers,
      body: authorized.body,
      signal: abort.signal,
    });
  } catch (error) {
    if (abort.signal.aborted) return;
    const message = `The bridge could not reach ${route.instance.name}: ${describeError(error)}`;
    writeProxyError({
      response,
      adapter: route.adapter,
      error: proxyError(502, message, 'upstream_unreachable'),
      extraHeaders: {},
    });
    return;
  }
  response.writeHead(
    upstream.statusCode,
    clientResponseHeaders({ headers: upstream.headers, keepLength: true, extra: {} }),
  );
  try {
    await pipeline(upstream.body, response);
  } catch {
    // The client left or the upstream broke off; either way the connection is closed and nothing is recorded.
    response.destroy();
  }
}
