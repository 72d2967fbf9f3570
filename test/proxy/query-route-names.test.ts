import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRouteNames } from '../../src/config/config.js';
import { openTestStore } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('the names a provider instance may not take', () => {
  let opened: Awaited<ReturnType<typeof openTestStore>>;
  let server: TestServer;
  beforeAll(async () => {
    opened = await openTestStore('pglite');
    server = await startTestServer({ store: opened.store });
  });
  afterAll(async () => {
    await server?.close();
    await opened?.dispose();
  });

  it('are exactly the first path segments of the query routes under /api/v2/aibridge/', () => {
    const routes = server.app.printRoutes({ commonPrefix: false });
    const segments = new Set(
      [...routes.matchAll(/api\/v2\/aibridge\/([^/\s(]+)/g)]
        .map((match) => match[1] ?? '')
        .filter((segment) => !segment.startsWith(':')),
    );
    expect([...segments].sort()).toEqual([...queryRouteNames].sort());
  });
});
