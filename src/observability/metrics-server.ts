/**
 * The metrics listener: `GET /metrics` in the Prometheus text format on an address of its own, so it can
 * stay inside the cluster while the bridge's port faces clients.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** A running metrics listener. */
export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (port 0: any free port) and serves the registry: a process's own, or anything that
 * renders the text format the same way (a cluster's primary serves the sum of its workers' registries).
 */
export async function startMetricsServer(input: {
  registry: Pick<Registry, 'metrics' | 'contentType'>;
  host: string;
  port: number;
}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found; metrics are at /metrics\n');
      return;
    }
    input.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': input.registry.contentType }).end(text),
      (error: unknown) =>
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
    );
  });
  server.listen(input.port, input.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : input.port;
  const host = input.host.includes(':') ? `[${input.host}]` : input.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
