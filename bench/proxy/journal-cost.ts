/**
 * What crash safety costs on a request's path, per interception, measured in one run: the journal
 * (append the admission, then the finished record; empty it once written) against the alternative of
 * inserting the interception's start synchronously into the database before forwarding.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedInterception } from '../../src/core/records.js';
import { openJournal } from '../../src/recorder/replay-journal.js';
import { createLogger } from '../../src/server/logger.js';
import { openStore, type StoreOptions } from '../../src/store/open-store.js';
import { createUser } from '../../src/store/users.js';
import { interceptionStartRow } from '../../src/store/write-records.js';
import { percentile } from './stats.js';
import { interception } from './write-path.js';

/** p50 and p99 of one mechanism, in microseconds per interception. */
export interface CrashSafetyCost {
  name: string;
  p50: number;
  p99: number;
}

/** The journal's cost per interception: admission and finished record appended, emptied every 20 (a batch). */
function measureJournal(count: number): CrashSafetyCost {
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-journal-'));
  const { journal } = openJournal({ directory, logger: createLogger({ level: 'silent' }) });
  const samples: number[] = [];
  try {
    let unwritten: RecordedInterception[] = [];
    for (let index = 0; index < count; index++) {
      const record = interception('01a2183a-0000-7000-8000-000000000000', index);
      const prompt = record.userPrompts[0]?.prompt ?? null;
      const began = performance.now();
      journal.admit({ start: record.start, prompt });
      journal.queued(record);
      samples.push((performance.now() - began) * 1000);
      unwritten.push(record);
      if (unwritten.length === 20) {
        journal.written(unwritten);
        unwritten = [];
      }
    }
  } finally {
    journal.close();
    rmSync(directory, { recursive: true, force: true });
  }
  return {
    name: 'journal: admission + finished record appended (write(2), no fsync)',
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
  };
}

/** The alternative: the start row inserted, one awaited statement per interception. */
async function measureSynchronousInsert(input: {
  name: string;
  options: StoreOptions;
  count: number;
}): Promise<CrashSafetyCost> {
  const store = await openStore(input.options);
  const samples: number[] = [];
  try {
    const user = await createUser(store.db, { username: 'bench-start-insert' });
    if (user === null) throw new Error('could not create the bench user');
    for (let index = 0; index < input.count; index++) {
      const { start } = interception(user.id, index);
      const began = performance.now();
      await store.db
        .insertInto('aibridge_interceptions')
        .values(interceptionStartRow(start, start.metadata))
        .execute();
      samples.push((performance.now() - began) * 1000);
    }
  } finally {
    await store.close();
  }
  return { name: input.name, p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Both mechanisms; the PostgreSQL row only with a database URL. */
export async function measureCrashSafetyCost(input: {
  databaseUrl: string | null;
  count: number;
}): Promise<CrashSafetyCost[]> {
  const costs = [measureJournal(input.count)];
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-start-insert-'));
  try {
    costs.push(
      await measureSynchronousInsert({
        name: 'alternative: start row inserted synchronously (PGlite)',
        options: { dataDir: directory },
        count: Math.ceil(input.count / 4),
      }),
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  if (input.databaseUrl !== null) {
    costs.push(
      await measureSynchronousInsert({
        name: 'alternative: start row inserted synchronously (PostgreSQL)',
        options: { databaseUrl: input.databaseUrl, schema: `bench_start_${Date.now().toString(36)}` },
        count: Math.ceil(input.count / 4),
      }),
    );
  }
  return costs;
}
