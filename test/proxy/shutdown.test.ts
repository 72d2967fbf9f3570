import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { FakeProvider } from '../fake-provider/fake-provider.js';
import { createScratchDatabase, testEngines } from '../support/databases.js';
import { outputSays, startServerProcess } from '../support/processes.js';

for (const engine of testEngines()) {
  describe(`SIGTERM under load, through the aibridge server process [${engine}]`, () => {
    const directory = mkdtempSync(join(tmpdir(), 'aibridge-sigterm-'));
    let databaseUrl: string | undefined;
    let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
    let fake: FakeProvider;

    beforeAll(async () => {
      fake = await FakeProvider.start();
      if (engine === 'postgres') {
        scratch = await createScratchDatabase('aibridge_sigterm');
        databaseUrl = scratch.url;
      }
    });
    afterAll(async () => {
      await fake?.close();
      await scratch?.drop();
      rmSync(directory, { recursive: true, force: true });
    });

    const tokenFile = join(directory, 'admin-token');
    const start = (extra: string[] = []) =>
      startServerProcess([
        '--data-dir',
        directory,
        '--admin-token-file',
        tokenFile,
        ...(databaseUrl ? ['--database-url', databaseUrl] : []),
        '--openai-base-url',
        `${fake.url}/v1`,
        '--openai-key',
        'sk-central-openai',
        '--anthropic-base-url',
        fake.url,
        '--anthropic-key',
        'sk-central-anthropic',
        '--log-level',
        'warn',
        ...extra,
      ]);
    const readRows = async (ids: string[]) => {
      // The server keeps its embedded database under <data-dir>/pgdata.
      const store = await openStore(databaseUrl ? { databaseUrl } : { dataDir: join(directory, 'pgdata') });
      try {
        const rows = await store.db
          .selectFrom('aibridge_interceptions')
          .select(['id', 'ended_at', 'error'])
          .where('id', 'in', ids)
          .execute();
        const usages = await store.db
          .selectFrom('aibridge_token_usages')
          .select('interception_id')
          .where('interception_id', 'in', ids)
          .execute();
        return { rows, usages };
      } finally {
        await store.close();
      }
    };

    it('finishes the streams in flight, records every interception as ended, and exits 0', async () => {
      const server = await start(['--log-level', 'info']);
      const token = readFileSync(tokenFile, 'utf8').trim();
      const anthropic = new Anthropic({
        baseURL: `${server.url}/api/v2/aibridge/anthropic`,
        apiKey: token,
        maxRetries: 0,
      });
      const openai = new OpenAI({
        baseURL: `${server.url}/api/v2/aibridge/openai/v1`,
        apiKey: token,
        maxRetries: 0,
      });

      // Streams held after their first event: all have their headers before the signal, none has ended.
      const release = fake.holdStreams();
      const responses = await Promise.all(
        Array.from({ length: 24 }, (_, index) =>
          index % 2 === 0
            ? anthropic.messages
                .create({
                  model: 'claude-sonnet-5-5',
                  max_tokens: 64,
                  stream: true,
                  messages: [{ role: 'user', content: `q${index}` }],
                })
                .asResponse()
            : openai.responses
                .create({ model: 'gpt-5-codex', stream: true, input: `q${index}` })
                .asResponse(),
        ),
      );
      expect(fake.exchanges.filter((exchange) => !exchange.finished)).toHaveLength(24);
      const shuttingDown = outputSays(server.child, 'shutting down');
      const exited = server.stop();
      // The streams go on only once the server is draining.
      await shuttingDown;
      release();
      const results = await Promise.all(
        responses.map(async (response) => ({
          id: response.headers.get('x-aibridge-interception-id') ?? '',
          text: await response.text(),
        })),
      );
      expect(await exited).toBe(0);
      for (const result of results) expect(result.text).toMatch(/message_stop|response\.completed/);
      const { rows, usages } = await readRows(results.map((result) => result.id));
      expect(rows).toHaveLength(results.length);
      for (const row of rows) expect(row).toMatchObject({ ended_at: expect.any(Date), error: null });
      expect(new Set(usages.map((usage) => usage.interception_id))).toEqual(
        new Set(results.map((result) => result.id)),
      );
    }, 120_000);

    it('cuts streams that outlast the grace period and still records them as ended', async () => {
      const server = await start(['--shutdown-grace', '300ms']);
      const token = readFileSync(tokenFile, 'utf8').trim();
      const anthropic = new Anthropic({
        baseURL: `${server.url}/api/v2/aibridge/anthropic`,
        apiKey: token,
        maxRetries: 0,
      });
      for (let index = 0; index < 6; index++) {
        fake.script({ kind: 'stall', fixture: 'anthropic/stream-thinking-tools.sse', afterEvents: 2 });
      }
      const responses = await Promise.all(
        Array.from({ length: 6 }, () =>
          anthropic.messages
            .create({
              model: 'claude-sonnet-5-5',
              max_tokens: 64,
              stream: true,
              messages: [{ role: 'user', content: 'wait' }],
            })
            .asResponse(),
        ),
      );
      const exited = server.stop();
      await Promise.all(responses.map((response) => response.text().catch(() => '')));
      expect(await exited).toBe(0);
      const ids = responses.map((response) => response.headers.get('x-aibridge-interception-id') ?? '');
      const { rows } = await readRows(ids);
      expect(rows).toHaveLength(6);
      for (const row of rows) {
        expect(row.ended_at).toBeInstanceOf(Date);
        expect(row.error).toMatch(/client disconnected/);
      }
    }, 120_000);
  });
}
