import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { type InterceptionSpec, recordInterceptions } from '../../test/support/record-fixtures.js';
import { listInterceptionsJson } from './query-interceptions.js';
import { createUser } from './users.js';

/** Every character JSON must escape that PostgreSQL text can hold (not NUL), and some it must not. */
const awkward = `quote " backslash \\ slash / ${Array.from({ length: 31 }, (_, code) => String.fromCharCode(code + 1)).join('')} del \u007f line sep \u2028 é 😀`;

describeEachDatabase('listInterceptionsJson', (getStore) => {
  let userId = '';
  let withChildren = '';
  let bare = '';

  beforeAll(async () => {
    const store = getStore();
    userId = (await createUser(store.db, { username: `name ${awkward}` }))!.id;
    [withChildren, bare] = (await recordInterceptions(store, [
      {
        initiatorId: userId,
        startedAt: new Date('2025-03-10T10:00:00.123Z'),
        model: awkward,
        metadata: { [awkward]: { nested: [1, 2.5, -3, true, null, awkward] }, big: 1e21 },
        prompt: awkward,
        toolCalls: [{ tool: awkward, input: JSON.stringify({ text: awkward }), invocationError: awkward }],
        usages: [{ input: 2 ** 40, output: 0, metadata: { [awkward]: awkward } }],
      },
      { initiatorId: userId, startedAt: new Date('2025-03-09T10:00:00Z'), apiKeyId: null, metadata: {} },
    ])) as [string, string];
  });

  const page = () =>
    listInterceptionsJson(getStore().db, {
      visibleTo: userId,
      filter: {},
      limit: 10,
      offset: 0,
      afterId: null,
    });

  it('escapes strings exactly as JSON.stringify does', async () => {
    const text = await page();
    expect(text).toContain(`"prompt":${JSON.stringify(awkward)}`);
    expect(text).toContain(`"model":${JSON.stringify(awkward)}`);
    expect(text).toContain(`"username":${JSON.stringify(`name ${awkward}`)}`);
    expect(text).toContain(`"input":${JSON.stringify(JSON.stringify({ text: awkward }))}`);
  });

  it('is valid JSON with every value as recorded, times in UTC with milliseconds, absent children as []', async () => {
    const results = JSON.parse(await page()) as Record<string, unknown>[];
    expect(results.map((row) => row.id)).toEqual([withChildren, bare]);
    const [first, second] = results;
    expect(first).toMatchObject({
      api_key_id: 'TESTKEY001',
      initiator: { id: userId, username: `name ${awkward}`, name: '', avatar_url: '' },
      model: awkward,
      metadata: { [awkward]: { nested: [1, 2.5, -3, true, null, awkward] }, big: 1e21 },
      started_at: '2025-03-10T10:00:00.123Z',
      ended_at: '2025-03-10T10:00:01.123Z',
      token_usages: [{ input_tokens: 2 ** 40, output_tokens: 0, metadata: { [awkward]: awkward } }],
      user_prompts: [{ prompt: awkward, metadata: {}, created_at: '2025-03-10T10:00:00.124Z' }],
      tool_usages: [
        {
          tool: awkward,
          input: JSON.stringify({ text: awkward }),
          injected: false,
          server_url: null,
          invocation_error: awkward,
        },
      ],
    });
    expect(second).toMatchObject({
      api_key_id: null,
      metadata: {},
      token_usages: [],
      user_prompts: [],
      tool_usages: [],
    });
  });

  it('is [] for an empty page', async () => {
    const text = await listInterceptionsJson(getStore().db, {
      visibleTo: userId,
      filter: {},
      limit: 10,
      offset: 2,
      afterId: null,
    });
    expect(text).toBe('[]');
  });

  it('pages by offset exactly as OFFSET over every match, for any filter, visibility and size', async () => {
    const db = getStore().db;
    const other = (await createUser(db, { username: 'offset-other' }))!.id;
    const initiators = [userId, other];
    // Few distinct start times, so that many rows tie on started_at and the id decides their order.
    const specs = fc
      .sample(fc.tuple(fc.nat(1), fc.nat(1), fc.nat(5), fc.nat(9)), { numRuns: 60, seed: 11 })
      .map(
        ([user, model, minute, open]): InterceptionSpec => ({
          initiatorId: initiators[user]!,
          model: `offset-m${model}`,
          startedAt: new Date(Date.UTC(2025, 4, 1, 0, minute)),
          durationMs: open === 0 ? null : 1000,
        }),
      );
    await recordInterceptions(getStore(), specs, { oneBatch: true });
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.nat(1), { nil: undefined }),
        fc.option(fc.nat(1), { nil: undefined }),
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 1, max: 12 }),
        async (viewer, model, offset, limit) => {
          const visibleTo = viewer === undefined ? null : initiators[viewer]!;
          const filter = model === undefined ? {} : { model: `offset-m${model}` };
          const page = JSON.parse(
            await listInterceptionsJson(db, { visibleTo, filter, limit, offset, afterId: null }),
          ) as { id: string }[];
          const expected = await sql<{ id: string }>`
            SELECT id FROM aibridge_interceptions WHERE ended_at IS NOT NULL
              AND (${visibleTo}::uuid IS NULL OR initiator_id = ${visibleTo}::uuid)
              AND (${filter.model ?? null}::text IS NULL OR model = ${filter.model ?? null}::text)
            ORDER BY started_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`.execute(db);
          expect(page.map((row) => row.id)).toEqual(expected.rows.map((row) => row.id));
        },
      ),
      { numRuns: 60, seed: 5 },
    );
  });
});
