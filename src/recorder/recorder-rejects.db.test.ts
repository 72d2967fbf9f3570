import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { interceptionRecord } from '../../test/support/record-fixtures.js';
import { newId } from '../core/ids.js';
import { createUser } from '../store/users.js';
import { writeRecords } from '../store/write-records.js';
import { Recorder } from './recorder.js';
import { openJournal } from './replay-journal.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describeEachDatabase('a record the database refuses for its data', (getStore, engine) => {
  it('is set aside in the rejected file, and every other record of its batch is written', async () => {
    const { db } = getStore();
    const user = await createUser(db, { username: `rejects-${engine}` });
    if (!user) throw new Error('no user');
    const startedAt = new Date('2026-11-26T10:00:00Z');
    const records = Array.from({ length: 7 }, (_, index) =>
      interceptionRecord({
        // One names a user this database does not have (a journal replayed into another database).
        initiatorId: index === 4 ? newId() : user.id,
        startedAt: new Date(startedAt.getTime() + index * 1000),
        prompt: `prompt ${index}`,
      }),
    );
    const directory = mkdtempSync(join(tmpdir(), 'aibridge-rejects-'));
    directories.push(directory);
    const { journal } = openJournal({ directory, logger: pino({ level: 'silent' }) });
    const logged: string[] = [];
    const recorder = new Recorder({
      db,
      logger: pino({ level: 'error' }, { write: (line: string) => logged.push(line) }),
      capacity: 100,
      maxBatch: 50,
      journal,
      write: writeRecords,
    });
    for (const { interception } of records) recorder.enqueue(interception);
    await recorder.drain();
    journal.close();

    const refused = records[4]?.id ?? '';
    const written = await db
      .selectFrom('aibridge_interceptions')
      .select('id')
      .where(
        'id',
        'in',
        records.map((record) => record.id),
      )
      .execute();
    expect(new Set(written.map((row) => row.id))).toEqual(
      new Set(records.map((record) => record.id).filter((id) => id !== refused)),
    );
    expect(recorder.rejected).toBe(1);
    const [line, ...more] = readFileSync(join(directory, 'rejected.jsonl'), 'utf8').trimEnd().split('\n');
    expect(more).toEqual([]);
    const kept = JSON.parse(line ?? '');
    expect(kept).toMatchObject({ kind: 'finished', interception: { start: { id: refused } } });
    expect(kept.rejected.code).toBe('23503');
    expect(logged.join('')).toContain(refused);
    // The journal holds nothing more to replay: the next start is not held up by the refused record.
    expect(openJournal({ directory, logger: pino({ level: 'silent' }) }).replay).toEqual([]);
  });
});
