/**
 * The dashboard: its sign-in routes and its static files (the `web/` package's build, shipped in the npm
 * package) served at `/`. Every file is read and compressed once at start — the build is a few hundred
 * KiB — so a request is a map lookup (brotli at quality 6, not its default 11: measured on this build,
 * 15 ms instead of 430 ms of start-up for a copy 8 % larger); any other path that is not an API route gets `index.html`, where
 * the single-page app routes it. Nothing is fetched from the network at run time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerWebSessionRoutes } from '../api/web-session.js';
import type { ServerContext } from './context.js';

/** Where the build lands: `web/dist` beside `src/` and `dist/` (both two levels above this file). */
export const dashboardDirectory = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const brotliOptions = { params: { [constants.BROTLI_PARAM_QUALITY]: 6 } };
const compressible = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  brotli: Buffer | null;
  type: string;
  etag: string;
  /** Vite names assets by content hash: they never change under their name. */
  immutable: boolean;
}

/** Reads every file of a built dashboard into memory, keyed by URL path. */
export function loadDashboardFiles(directory: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(directory)) return files;
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const urlPath = `/${relative(directory, path).split(sep).join('/')}`;
        const extension = extname(name);
        const body = readFileSync(path);
        const compress = compressible.has(extension) && body.length > 1024;
        files.set(urlPath, {
          body,
          gzip: compress ? gzipSync(body, { level: 9 }) : null,
          brotli: compress ? brotliCompressSync(body, brotliOptions) : null,
          type: contentTypes[extension] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
          immutable: urlPath.startsWith('/assets/'),
        });
      }
    }
  };
  walk(directory);
  return files;
}

const notBuiltPage = `<!doctype html><meta charset="utf-8"><title>AI Bridge</title>
<p>The dashboard is not built. Run <code>npm run build</code> in the repository (it builds <code>web/</code>).</p>`;

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile) {
  reply.header('etag', file.etag);
  reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  reply.header('x-content-type-options', 'nosniff');
  if (file.type.startsWith('text/html')) {
    // The page loads only its own scripts and styles and talks only to this server.
    reply.header(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    reply.header('referrer-policy', 'same-origin');
  }
  reply.header('vary', 'accept-encoding');
  reply.type(file.type);
  if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (file.brotli && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(file.brotli);
  if (file.gzip && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

/** The URL's path, percent-decoded; a malformed escape is kept as it is (it then names no file). */
function decodedPath(url: string): string {
  const raw = url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Registers the sign-in routes and serves the dashboard at `/` with a fallback to `index.html`. */
export async function registerDashboard(app: FastifyInstance, context: ServerContext): Promise<void> {
  await registerWebSessionRoutes(app, context);
  const files = loadDashboardFiles(dashboardDirectory);
  const index = files.get('/index.html');
  if (!index) context.logger.warn({ directory: dashboardDirectory }, 'the dashboard is not built');
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = decodedPath(request.url);
    // Unknown API paths keep the API's JSON 404; a missing asset is a 404 too, not the page.
    if (path.startsWith('/api/') || path === '/api' || path.startsWith('/assets/')) {
      const file = files.get(path);
      if (file) return send(request, reply, file);
      return reply.status(404).send({ message: `Route ${request.method} ${path} not found.` });
    }
    const file = files.get(path) ?? index;
    if (!file) return reply.status(503).type('text/html; charset=utf-8').send(notBuiltPage);
    return send(request, reply, file);
  };
  app.get('/', handler);
  app.get('/*', handler);
}
