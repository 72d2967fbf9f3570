import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { type InterceptionSpec, recordInterceptions } from '../../test/support/record-fixtures.js';
import { newId } from '../core/ids.js';
import { countInterceptions } from './count-interceptions.js';
import { purgeRecords } from './purge-records.js';
import type { RecordFilter } from './record-filter.js';
import { createUser } from './users.js';

const start = Date.UTC(2025, 0, 1);
const span = 6 * 86_400_000;
const models = ['m-a', 'm-b', 'm-c'];
const providers = ['openai', 'anthropic'];

describeEachDatabase('countInterceptions', (getStore) => {
  const users: string[] = [];

  beforeAll(async () => {
    const store = getStore();
    for (const name of ['u1', 'u2', 'u3']) users.push((await createUser(store.db, { username: name }))!.id);
    // A deterministic spread over six days, some never ended, so day edges and open rows are exercised.
    const random = fc.sample(fc.tuple(fc.nat(span - 1), fc.nat(2), fc.nat(2), fc.nat(1), fc.nat(9)), {
      numRuns: 300,
      seed: 42,
    });
    const specs: InterceptionSpec[] = random.map(([offset, user, model, provider, openChance]) => ({
      id: newId(),
      initiatorId: users[user]!,
      model: models[model]!,
      provider: providers[provider]!,
      startedAt: new Date(start + offset),
      durationMs: openChance === 0 ? null : 500,
    }));
    await recordInterceptions(store, specs, { oneBatch: true });
  });

  it('agrees with counting the rows for any filter and visibility', async () => {
    const time = fc.option(fc.integer({ min: -86_400_000, max: span + 86_400_000 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        time,
        time,
        fc.option(fc.nat(2), { nil: undefined }),
        fc.option(fc.constantFrom(...models), { nil: undefined }),
        fc.option(fc.constantFrom(...providers), { nil: undefined }),
        fc.option(fc.nat(2), { nil: undefined }),
        async (after, before, initiator, model, provider, viewer) => {
          const filter: RecordFilter = {};
          if (after !== undefined) filter.startedAfter = new Date(start + after);
          if (before !== undefined) filter.startedBefore = new Date(start + before);
          if (initiator !== undefined) filter.initiatorId = users[initiator]!;
          if (model !== undefined) filter.model = model;
          if (provider !== undefined) filter.provider = provider;
          const visibleTo = viewer === undefined ? null : users[viewer]!;
          const db = getStore().db;
          const expected = await sql<{ count: number }>`
            SELECT count(*) AS count FROM aibridge_interceptions WHERE ended_at IS NOT NULL
              AND (${filter.startedAfter?.toISOString() ?? null}::timestamptz IS NULL OR started_at >= ${filter.startedAfter?.toISOString() ?? null}::timestamptz)
              AND (${filter.startedBefore?.toISOString() ?? null}::timestamptz IS NULL OR started_at < ${filter.startedBefore?.toISOString() ?? null}::timestamptz)
              AND (${filter.initiatorId ?? null}::uuid IS NULL OR initiator_id = ${filter.initiatorId ?? null}::uuid)
              AND (${visibleTo}::uuid IS NULL OR initiator_id = ${visibleTo}::uuid)
              AND (${model ?? null}::text IS NULL OR model = ${model ?? null}::text)
              AND (${provider ?? null}::text IS NULL OR provider = ${provider ?? null}::text)`.execute(db);
          expect(await countInterceptions(db, { filter, visibleTo })).toBe(Number(expected.rows[0]!.count));
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('counts filters the rollups do not hold from the table, has_error:false as all minus the failures', async () => {
    const db = getStore().db;
    // Every seventh ended interception failed with a 429, every eleventh was made with the user's own key.
    await sql`UPDATE aibridge_interceptions SET upstream_status = 429, error = 'slow down'
      WHERE ended_at IS NOT NULL AND ('x' || substr(md5(id::text), 1, 6))::bit(24)::int % 7 = 0`.execute(db);
    await sql`UPDATE aibridge_interceptions SET credential_kind = 'byok'
      WHERE ('x' || substr(md5(id::text), 1, 6))::bit(24)::int % 11 = 0`.execute(db);
    const time = fc.option(fc.integer({ min: -86_400_000, max: span + 86_400_000 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        time,
        fc.option(fc.constantFrom(...models), { nil: undefined }),
        fc.option(fc.boolean(), { nil: undefined }),
        fc.option(fc.constantFrom('centralized' as const, 'byok' as const), { nil: undefined }),
        fc.option(fc.nat(2), { nil: undefined }),
        async (after, model, hasError, credentialKind, viewer) => {
          const filter: RecordFilter = {};
          if (after !== undefined) filter.startedAfter = new Date(start + after);
          if (model !== undefined) filter.model = model;
          if (hasError !== undefined) filter.hasError = hasError;
          if (credentialKind !== undefined) filter.credentialKind = credentialKind;
          const visibleTo = viewer === undefined ? null : users[viewer]!;
          const expected = await sql<{ count: number }>`
            SELECT count(*) AS count FROM aibridge_interceptions WHERE ended_at IS NOT NULL
              AND (${filter.startedAfter?.toISOString() ?? null}::timestamptz IS NULL OR started_at >= ${filter.startedAfter?.toISOString() ?? null}::timestamptz)
              AND (${visibleTo}::uuid IS NULL OR initiator_id = ${visibleTo}::uuid)
              AND (${model ?? null}::text IS NULL OR model = ${model ?? null}::text)
              AND (${hasError ?? null}::boolean IS NULL OR (upstream_status = 429) = ${hasError ?? null}::boolean)
              AND (${credentialKind ?? null}::text IS NULL OR credential_kind = ${credentialKind ?? null}::text)`.execute(
            db,
          );
          expect(await countInterceptions(db, { filter, visibleTo })).toBe(Number(expected.rows[0]!.count));
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });

  // Runs last: it deletes the first days of the fixture.
  it('keeps the all-time totals equal to the per-day counts through a purge', async () => {
    const db = getStore().db;
    const totalsAgree = async () => {
      const result = await sql<{ mismatches: number }>`
        SELECT count(*) AS mismatches FROM (
          SELECT initiator_id, provider, provider_name, model, client, sum(interceptions) AS n
          FROM aibridge_interception_counts GROUP BY 1, 2, 3, 4, 5
        ) c FULL JOIN aibridge_interception_totals t USING (initiator_id, provider, provider_name, model, client)
        WHERE c.n IS DISTINCT FROM t.interceptions`.execute(db);
      return Number(result.rows[0]!.mismatches);
    };
    expect(await totalsAgree()).toBe(0);
    await purgeRecords(db, new Date(start + 2 * 86_400_000));
    expect(await totalsAgree()).toBe(0);
    expect(await countInterceptions(db, { filter: {}, visibleTo: null })).toBe(
      await countInterceptions(db, {
        filter: { startedAfter: new Date(start + 2 * 86_400_000) },
        visibleTo: null,
      }),
    );
  });
});
