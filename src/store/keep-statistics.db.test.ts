import { sql } from 'kysely';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { interceptionRecord } from '../../test/support/record-fixtures.js';
import { type RecordedInterception, rowCount } from '../core/records.js';
import { recordTables, StatisticsUpkeep } from './keep-statistics.js';
import type { Store } from './open-store.js';
import { createUser } from './users.js';
import { writeRecords } from './write-records.js';

const logger = pino({ level: 'silent' });

async function reltuples(store: Store, table: string): Promise<number> {
  const result = await sql<{ reltuples: number }>`SELECT reltuples::float8 AS reltuples FROM pg_class
    WHERE oid = to_regclass(${table})`.execute(store.db);
  return Number(result.rows[0]?.reltuples);
}

async function writeInterceptions(store: Store, initiatorId: string, count: number): Promise<number> {
  const interceptions: RecordedInterception[] = [];
  for (let index = 0; index < count; index += 1) {
    interceptions.push(
      interceptionRecord({
        initiatorId,
        clientSessionId: `session-${index % 7}`,
        startedAt: new Date(Date.UTC(2026, 0, 1, 0, index)),
        durationMs: 1000,
        usages: [{ input: 10, output: 5 }],
        prompt: `prompt ${index}`,
        toolCalls: [{ tool: 'Read' }],
      }).interception,
    );
  }
  await writeRecords(store.db, interceptions);
  return interceptions.reduce((rows, interception) => rows + rowCount(interception), 0);
}

describeEachDatabase('StatisticsUpkeep', (getStore) => {
  it('leaves every record table analyzed after the migrations', async () => {
    for (const table of recordTables) expect(await reltuples(getStore(), table)).toBeGreaterThanOrEqual(0);
  });

  it('opens connections that run statements without JIT compilation', async () => {
    const result = await sql<{ jit: string }>`SHOW jit`.execute(getStore().db);
    expect(result.rows[0]?.jit).toBe('off');
  });

  it('analyzes once the rows written pass the threshold, and not before', async () => {
    const store = getStore();
    const user = await createUser(store.db, { username: 'statistics-user' });
    const upkeep = new StatisticsUpkeep({ db: store.db, logger, minRows: 200, fraction: 0.1 });
    upkeep.start();
    await upkeep.idle();

    upkeep.noteWritten(await writeInterceptions(store, user!.id, 20));
    await upkeep.idle();
    expect(upkeep.analyzes).toBe(0);
    expect(await reltuples(store, 'aibridge_interceptions')).toBe(0);

    upkeep.noteWritten(await writeInterceptions(store, user!.id, 40));
    await upkeep.idle();
    expect(upkeep.analyzes).toBe(1);
    expect(await reltuples(store, 'aibridge_interceptions')).toBe(60);
    const columnStatistics = await sql<{ count: number }>`SELECT count(*) AS count FROM pg_stats
      WHERE tablename = 'aibridge_interceptions' AND attname = 'session_key'
        AND schemaname = current_schema()`.execute(store.db);
    expect(columnStatistics.rows[0]?.count).toBe(1);
    await upkeep.close();
  });

  it('while the writer is behind, waits for the larger share, and analyzes at the first write after', async () => {
    const store = getStore();
    const user = await createUser(store.db, { username: 'burst-user' });
    let busy = true;
    const upkeep = new StatisticsUpkeep({
      db: store.db,
      logger,
      minRows: 100,
      fraction: 0,
      busyFraction: 1000,
      busy: () => busy,
    });
    upkeep.start();
    await upkeep.idle();
    const before = upkeep.analyzes;
    const rows = await reltuples(store, 'aibridge_interceptions');
    // Past minRows (10 interceptions of 4 rows each per write), far below the busy share: deferred.
    for (let write = 0; write < 5; write += 1)
      upkeep.noteWritten(await writeInterceptions(store, user!.id, 10));
    await upkeep.idle();
    expect(upkeep.analyzes).toBe(before);
    busy = false;
    upkeep.noteWritten(await writeInterceptions(store, user!.id, 1));
    await upkeep.idle();
    expect(upkeep.analyzes).toBe(before + 1);
    expect(await reltuples(store, 'aibridge_interceptions')).toBe(rows + 51);
    await upkeep.close();
  });

  it('never runs two analyzes at once and stops when closed', async () => {
    const store = getStore();
    const upkeep = new StatisticsUpkeep({ db: store.db, logger, minRows: 0, fraction: 0 });
    upkeep.start();
    await upkeep.idle();
    for (let index = 0; index < 20; index += 1) upkeep.noteWritten(1);
    await upkeep.idle();
    expect(upkeep.analyzes).toBe(1);
    upkeep.noteWritten(1);
    await upkeep.close();
    expect(upkeep.analyzes).toBe(2);
    upkeep.noteWritten(1);
    await upkeep.idle();
    expect(upkeep.analyzes).toBe(2);
  });
});
