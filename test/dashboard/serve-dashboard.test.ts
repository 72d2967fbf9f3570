import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDirectory } from '../../src/server/serve-dashboard.js';
import { openTestStore } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('the dashboard served at /', () => {
  let opened: Awaited<ReturnType<typeof openTestStore>>;
  let server: TestServer;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers });

  beforeAll(async () => {
    if (!existsSync(join(dashboardDirectory, 'index.html'))) {
      throw new Error(`The dashboard is not built in ${dashboardDirectory}: run npm run build.`);
    }
    opened = await openTestStore('pglite');
    server = await startTestServer({ store: opened.store });
  });
  afterAll(async () => {
    await server?.close();
    await opened?.dispose();
  });

  it('serves index.html at / and for every app route, with a strict content security policy', async () => {
    for (const path of ['/', '/sessions', '/sessions/some%20session', '/requests?selected=x', '/admin']) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await response.text()).toContain('<div id="app"></div>');
    }
  });

  it('serves hashed assets compressed and cacheable for a year, and answers 304 to a matching ETag', async () => {
    const html = await (await get('/')).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
    expect(script).not.toBe('');
    const brotli = await fetch(`${server.url}${script}`, { headers: { 'accept-encoding': 'br' } });
    expect(brotli.status).toBe(200);
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const plain = await get(script, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect((await plain.text()).length).toBeGreaterThan(10_000);
    const again = await get(script, { 'if-none-match': brotli.headers.get('etag') ?? '' });
    expect(again.status).toBe(304);
  });

  it('keeps JSON 404s for unknown API routes and missing assets', async () => {
    const api = await get('/api/v2/no-such-route');
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ message: 'Route GET /api/v2/no-such-route not found.' });
    expect((await get('/assets/missing.js')).status).toBe(404);
    // A malformed escape is refused by the router before any handler: a 400, never a 500.
    expect((await get('/%E0%A4%A')).status).toBe(400);
  });
});
