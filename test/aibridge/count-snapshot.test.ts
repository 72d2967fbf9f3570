import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { recordInterceptions } from '../support/record-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { getJson } from './world.js';

describeEachDatabase('count and page while the recorder writes', (getStore) => {
  let server: TestServer;
  let userId = '';

  beforeAll(async () => {
    server = await startTestServer({ store: getStore() });
    userId = (await server.createUser('writer')).id;
  });
  afterAll(() => server.close());

  it('reads the count and the page of both lists in one snapshot', async () => {
    let writing = true;
    const writer = (async () => {
      for (let batch = 0; batch < 40; batch++) {
        await recordInterceptions(
          getStore(),
          Array.from({ length: 5 }, (_, index) => ({
            initiatorId: userId,
            startedAt: new Date(Date.UTC(2025, 0, 1) + (batch * 5 + index) * 60_000),
            prompt: 'p',
          })),
          { oneBatch: true },
        );
      }
      writing = false;
    })();
    const mismatches: string[] = [];
    let reads = 0;
    while (writing || reads < 2) {
      reads += 1;
      const [interceptions, sessions] = await Promise.all([
        getJson<{ count: number; results: unknown[] }>(server, '/api/v2/aibridge/interceptions?limit=1000'),
        getJson<{ count: number; sessions: unknown[] }>(server, '/api/v2/aibridge/sessions?limit=1000'),
      ]);
      if (interceptions.body.count !== interceptions.body.results.length)
        mismatches.push(`interceptions ${interceptions.body.count} vs ${interceptions.body.results.length}`);
      if (sessions.body.count !== sessions.body.sessions.length)
        mismatches.push(`sessions ${sessions.body.count} vs ${sessions.body.sessions.length}`);
    }
    await writer;
    expect(mismatches).toEqual([]);
    const final = await getJson<{ count: number }>(server, '/api/v2/aibridge/interceptions?limit=1');
    expect(final.body.count).toBe(200);
  });
});
