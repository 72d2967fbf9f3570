import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { recordInterceptions } from '../support/record-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      index += 1;
    } else cell += char;
  }
  return rows;
}

const start = Date.UTC(2025, 6, 1);
const manyPerUser = 560;

describeEachDatabase('CSV export of the lists (format=csv)', (getStore) => {
  let server: TestServer;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  const longPrompt = `${'修'.repeat(5000)}, "quoted"\nnext line`;

  const csv = async (path: string, token?: string) => {
    const response = await server.api(path, token === undefined ? {} : { token });
    return { response, rows: parseCsv(await response.text()) };
  };

  beforeAll(async () => {
    server = await startTestServer({ store: getStore() });
    alice = await server.createUser('alice');
    bob = await server.createUser('bob');
    const specs = Array.from({ length: manyPerUser }, (_, index) => ({
      initiatorId: index % 2 === 0 ? alice.id : bob.id,
      startedAt: new Date(start + index * 60_000),
      client: index % 3 === 0 ? 'Codex' : 'Claude Code',
      prompt: index === 0 ? longPrompt : `prompt ${index}`,
      toolCalls: index === 0 ? [{ tool: 'Read' }, { tool: 'Read' }, { tool: 'Edit' }] : [],
      usages: [{ input: index, output: 1 }],
    }));
    await recordInterceptions(getStore(), specs, { oneBatch: true });
  });
  afterAll(() => server.close());

  it('streams every matching interception across pages, newest first, with a header row', async () => {
    const { response, rows } = await csv('/api/v2/aibridge/interceptions?format=csv&limit=1');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="interceptions-.*\.csv"$/,
    );
    const [header, ...body] = rows;
    expect(header?.slice(0, 3)).toEqual(['id', 'started_at', 'ended_at']);
    expect(body.length).toBe(manyPerUser);
    const column = (name: string) => header?.indexOf(name) ?? -1;
    const times = body.map((row) => row[column('started_at')] ?? '');
    expect([...times].sort().reverse()).toEqual(times);
    const first = body.at(-1) ?? [];
    expect(first[column('prompt')]).toBe(longPrompt);
    expect(first[column('tool_calls')]).toBe('3');
    expect(first[column('tools')]).toBe('Read Edit');
    expect(first[column('initiator_username')]).toBe('alice');
  });

  it("gives a member only their own rows and applies the list's filters", async () => {
    const own = await csv('/api/v2/aibridge/interceptions?format=csv', bob.token);
    const header = own.rows[0] ?? [];
    const users = new Set(own.rows.slice(1).map((row) => row[header.indexOf('initiator_username')]));
    expect([...users]).toEqual(['bob']);
    expect(own.rows.length - 1).toBe(manyPerUser / 2);
    const sessions = await csv(
      `/api/v2/aibridge/sessions?format=csv&q=${encodeURIComponent('client:Codex')}`,
      alice.token,
    );
    const sessionHeader = sessions.rows[0] ?? [];
    const expected = Array.from({ length: manyPerUser }, (_, index) => index).filter(
      (index) => index % 2 === 0 && index % 3 === 0,
    ).length;
    expect(sessions.rows.length - 1).toBe(expected);
    for (const row of sessions.rows.slice(1)) {
      expect(row[sessionHeader.indexOf('client')]).toBe('Codex');
      expect(row[sessionHeader.indexOf('initiator_username')]).toBe('alice');
    }
  });

  it('streams every session across pages, with the same count as the JSON list', async () => {
    const json = (await (await server.api('/api/v2/aibridge/sessions?limit=1')).json()) as { count: number };
    const { rows } = await csv('/api/v2/aibridge/sessions?format=csv');
    expect(rows.length - 1).toBe(json.count);
    expect(json.count).toBe(manyPerUser);
    expect(new Set(rows.slice(1).map((row) => row[0])).size).toBe(manyPerUser);
  });

  it('rejects an unknown format and bad filters before streaming anything', async () => {
    const format = await server.api('/api/v2/aibridge/sessions?format=xml');
    expect(format.status).toBe(400);
    const filter = await server.api(
      `/api/v2/aibridge/interceptions?format=csv&q=${encodeURIComponent('model:')}`,
    );
    expect(filter.status).toBe(400);
    expect(filter.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
