import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { type InterceptionSpec, recordInterceptions } from '../../test/support/record-fixtures.js';
import { newId } from '../core/ids.js';
import { purgeRecords } from './purge-records.js';
import { countSessions } from './query-sessions.js';
import type { RecordFilter } from './record-filter.js';
import { createUser } from './users.js';

const start = Date.UTC(2025, 0, 1);
const models = ['m-a', 'm-b', 'm-c', 'm-d'];

describeEachDatabase('aibridge_session_models', (getStore) => {
  const users: string[] = [];
  beforeAll(async () => {
    const store = getStore();
    for (const name of ['u1', 'u2']) users.push((await createUser(store.db, { username: name }))!.id);
    // Sessions of several interceptions and models over a few batches, some ending long after the others
    // (written in a later batch) and some never ended.
    const random = fc.sample(fc.tuple(fc.nat(1), fc.nat(5), fc.nat(3), fc.nat(4), fc.nat(20 * 86_400_000)), {
      numRuns: 120,
      seed: 7,
    });
    let late = 0;
    const specs: InterceptionSpec[] = random.map(([user, session, model, openChance, offset]) => {
      const lateEnd = openChance === 0 && late++ < 10;
      return {
        id: newId(),
        initiatorId: users[user]!,
        // Session 5 stands for sessions of one interception, many of which end before the purge's cutoff.
        clientSessionId: session === 5 ? null : `session-${session}`,
        model: models[model]!,
        startedAt: new Date(start + offset),
        durationMs: openChance !== 0 ? 1000 : lateEnd ? start + 30 * 86_400_000 - (start + offset) : null,
      };
    });
    const early = specs.filter((spec) => spec.durationMs === null || spec.durationMs === 1000);
    for (let batch = 0; batch < early.length; batch += 30) {
      await recordInterceptions(store, early.slice(batch, batch + 30), { oneBatch: true });
    }
    await recordInterceptions(
      store,
      specs.filter((spec) => !early.includes(spec)),
      { oneBatch: true },
    );
  });

  const mirrorsTheRollup = async () => {
    const db = getStore().db;
    const rows = await sql<{ row: string }>`
      SELECT model || ' ' || initiator_id || ' ' || session_key AS row FROM aibridge_session_models ORDER BY 1`.execute(
      db,
    );
    const expected = await sql<{ row: string }>`
      SELECT m.model || ' ' || s.initiator_id || ' ' || s.session_key AS row
      FROM aibridge_sessions s CROSS JOIN LATERAL unnest(s.models) AS m (model) ORDER BY 1`.execute(db);
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(rows.rows).toEqual(expected.rows);
  };

  const countsAgree = async () => {
    const db = getStore().db;
    for (const model of [...models, 'none']) {
      for (const initiator of [undefined, ...users]) {
        for (const viewer of [null, ...users]) {
          const filter: RecordFilter = { model };
          if (initiator !== undefined) filter.initiatorId = initiator;
          const expected = await sql<{ count: number }>`
            SELECT count(*) AS count FROM aibridge_sessions WHERE ${model} = ANY(models)
              AND (${initiator ?? null}::uuid IS NULL OR initiator_id = ${initiator ?? null}::uuid)
              AND (${viewer}::uuid IS NULL OR initiator_id = ${viewer}::uuid)`.execute(db);
          expect(await countSessions(db, { filter, visibleTo: viewer })).toBe(
            Number(expected.rows[0]!.count),
          );
        }
      }
    }
  };

  it("holds one row per model of each session, written with the sessions' rollup", mirrorsTheRollup);

  it('counts sessions by model (and initiator, and visibility) as the rollup does', countsAgree);

  it('loses the rows of purged sessions and no others', async () => {
    const db = getStore().db;
    const rowCount = async () =>
      Number(
        (await sql<{ count: number }>`SELECT count(*) AS count FROM aibridge_session_models`.execute(db))
          .rows[0]!.count,
      );
    const before = await rowCount();
    await purgeRecords(db, new Date(start + 10 * 86_400_000));
    expect(await rowCount()).toBeLessThan(before);
    await mirrorsTheRollup();
    await countsAgree();
  });
});
