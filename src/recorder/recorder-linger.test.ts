import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { endedInterception } from '../../test/support/record-fixtures.js';
import type { Database } from '../store/schema.js';
import { Recorder } from './recorder.js';

const interception = endedInterception;

function recorderWith(options: { lingerMs: number; maxBatch?: number }) {
  const batches: number[] = [];
  const recorder = new Recorder({
    db: {} as Kysely<Database>,
    logger: pino({ level: 'silent' }),
    capacity: 1000,
    ...options,
    write: async (_db, interceptions) => {
      batches.push(interceptions.length);
    },
  });
  return { recorder, batches };
}

describe('Recorder linger', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gathers interceptions queued over a few milliseconds into one batch', async () => {
    const { recorder, batches } = recorderWith({ lingerMs: 40 });
    for (let index = 0; index < 5; index++) {
      recorder.enqueue(interception(`e${index}`));
      await vi.advanceTimersByTimeAsync(2);
    }
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(80);
    expect(batches).toEqual([5]);
  });

  it('writes at once when a drain is waiting or a full batch is queued', async () => {
    const { recorder, batches } = recorderWith({ lingerMs: 60_000, maxBatch: 4 });
    recorder.enqueue(interception('a'));
    const started = Date.now();
    await recorder.drain();
    expect(batches).toEqual([1]);
    recorder.enqueue(interception('b'));
    recorder.enqueue(interception('c'));
    recorder.enqueue(interception('d'));
    recorder.enqueue(interception('e'));
    await vi.advanceTimersByTimeAsync(20);
    expect(batches).toEqual([1, 4]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
