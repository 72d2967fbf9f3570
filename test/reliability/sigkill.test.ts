import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeProvider } from '../fake-provider/fake-provider.js';
import { createScratchDatabase, testEngines } from '../support/databases.js';
import { startServerProcess } from '../support/processes.js';

interface WireInterception {
  id: string;
  model: string;
  ended_at: string | null;
  metadata: Record<string, unknown>;
  token_usages: Array<{ input_tokens: number; output_tokens: number; cache_read_input_tokens: number }>;
  user_prompts: Array<{ prompt: string }>;
  tool_usages: Array<{ tool: string }>;
}

for (const engine of testEngines()) {
  describe(`SIGKILL under load, through the aibridge server process [${engine}]`, () => {
    const directory = mkdtempSync(join(tmpdir(), 'aibridge-sigkill-'));
    let databaseUrl: string | undefined;
    let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
    let fake: FakeProvider;

    beforeAll(async () => {
      fake = await FakeProvider.start();
      if (engine === 'postgres') {
        scratch = await createScratchDatabase('aibridge_sigkill');
        databaseUrl = scratch.url;
      }
    });
    afterAll(async () => {
      await fake?.close();
      await scratch?.drop();
      rmSync(directory, { recursive: true, force: true });
    });

    const tokenFile = join(directory, 'admin-token');
    const start = () =>
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
        '--log-level',
        'warn',
      ]);

    it('keeps every admitted interception: finished ones exactly, those in flight as interrupted', async () => {
      const server = await start();
      const token = readFileSync(tokenFile, 'utf8').trim();
      const openai = new OpenAI({
        baseURL: `${server.url}/api/v2/aibridge/openai/v1`,
        apiKey: token,
        maxRetries: 0,
      });
      const blocking = async (prompt: string) => {
        const { response } = await openai.chat.completions
          .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: prompt }] })
          .withResponse();
        return { id: response.headers.get('x-aibridge-interception-id') ?? '', prompt };
      };

      const finished = await Promise.all(Array.from({ length: 10 }, (_, index) => blocking(`done ${index}`)));
      // On PostgreSQL, hold the writer back so the next ones are certainly finished but not yet written.
      let blocker: pg.Client | undefined;
      if (databaseUrl) {
        blocker = new pg.Client({ connectionString: databaseUrl });
        await blocker.connect();
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE aibridge_interceptions IN EXCLUSIVE MODE');
      }
      finished.push(
        ...(await Promise.all(Array.from({ length: 10 }, (_, index) => blocking(`held ${index}`)))),
      );

      // Streams that have their headers and first events, then wait: admitted and in flight at the kill.
      for (let index = 0; index < 6; index++) {
        fake.script({ kind: 'stall', fixture: 'openai-chat/stream-text.sse', afterEvents: 2 });
      }
      const inFlight = await Promise.all(
        Array.from({ length: 6 }, async (_, index) => {
          const prompt = `in flight ${index}`;
          const response = await openai.chat.completions
            .create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: prompt }] })
            .asResponse();
          return { id: response.headers.get('x-aibridge-interception-id') ?? '', prompt, response };
        }),
      );
      const exited = once(server.child, 'exit');
      server.child.kill('SIGKILL');
      await exited;
      await Promise.all(inFlight.map(({ response }) => response.text().catch(() => '')));
      if (blocker) {
        await blocker.query('ROLLBACK');
        await blocker.end();
      }

      const restarted = await start();
      try {
        const response = await fetch(`${restarted.url}/api/v2/aibridge/interceptions?limit=1000`, {
          headers: { 'coder-session-token': token },
        });
        expect(response.status).toBe(200);
        const { results } = (await response.json()) as { results: WireInterception[] };
        const byId = new Map(results.map((row) => [row.id, row]));
        expect(results).toHaveLength(finished.length + inFlight.length);
        for (const { id, prompt } of finished) {
          const row = byId.get(id);
          expect(row, `finished interception ${id}`).toBeDefined();
          expect(row?.metadata.interrupted).toBeUndefined();
          expect(row?.user_prompts.map((entry) => entry.prompt)).toEqual([prompt]);
          // openai-chat/completion-tools.json: prompt 900 of which 512 cached, completion 40, two tool calls.
          expect(row?.token_usages).toMatchObject([
            { input_tokens: 388, output_tokens: 40, cache_read_input_tokens: 512 },
          ]);
          expect(row?.tool_usages.map((tool) => tool.tool)).toEqual(['read_file', 'list_dir']);
        }
        for (const { id, prompt } of inFlight) {
          const row = byId.get(id);
          expect(row, `in-flight interception ${id}`).toBeDefined();
          expect(row).toMatchObject({ model: 'gpt-4.1', ended_at: expect.any(String), token_usages: [] });
          expect(row?.metadata).toMatchObject({ interrupted: true });
          expect(row?.user_prompts.map((entry) => entry.prompt)).toEqual([prompt]);
        }
        // Replayed and written: the journal holds nothing any more (on PostgreSQL the server runs one
        // worker per core by default, each with a journal directory of its own below this one).
        const journal = join(directory, 'journal');
        const files = readdirSync(journal, { recursive: true, encoding: 'utf8' }).map((name) =>
          join(journal, name),
        );
        const nonEmpty = files.filter((path) => statSync(path).isFile() && statSync(path).size > 0);
        expect(nonEmpty).toEqual([]);
      } finally {
        expect(await restarted.stop()).toBe(0);
      }
    }, 120_000);
  });
}
