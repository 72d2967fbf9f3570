import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { endedInterception } from '../../test/support/record-fixtures.js';
import type { Database } from '../store/schema.js';
import { Recorder } from './recorder.js';

const interception = endedInterception;

function recorderWith(options: { lingerMs: number; maxBatch?: number; writeMs?: number }) {
  const batches: number[] = [];
  const takenAt: number[] = [];
  const recorder = new Recorder({
    db: {} as Kysely<Database>,
    logger: pino({ level: 'silent' }),
    capacity: 1000,
    ...options,
    write: async (_db, interceptions) => {
      batches.push(interceptions.length);
      takenAt.push(Date.now());
      if (options.writeMs) await new Promise((resolve) => setTimeout(resolve, options.writeMs));
    },
  });
  /** Milliseconds between one batch being taken and the next. */
  const gaps = () => takenAt.slice(1).map((at, index) => at - (takenAt[index] ?? 0));
  return { recorder, batches, gaps };
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

  it('takes batches at most every lingerMs under steady load, and at once after a slower write', async () => {
    const { recorder, batches, gaps } = recorderWith({ lingerMs: 20, writeMs: 5 });
    // One interception a millisecond for 100 ms: what arrives during a write waits for the rest of the
    // 20 ms instead of going out as a batch of five.
    for (let index = 0; index < 100; index++) {
      recorder.enqueue(interception(`s${index}`));
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(100);
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(100);
    expect(batches.length).toBeLessThanOrEqual(6);
    for (const gap of gaps()) expect(gap).toBeGreaterThanOrEqual(20);

    // A write slower than the linger is followed by the next batch as soon as it lands.
    const slow = recorderWith({ lingerMs: 20, writeMs: 50 });
    for (let index = 0; index < 100; index++) {
      slow.recorder.enqueue(interception(`t${index}`));
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(slow.batches.reduce((sum, size) => sum + size, 0)).toBe(100);
    const slowGaps = slow.gaps();
    for (const gap of slowGaps) expect(gap).toBeGreaterThanOrEqual(50);
    for (const gap of slowGaps) expect(gap).toBeLessThan(55);
  });
});
