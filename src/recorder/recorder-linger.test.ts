import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { RecordEvent } from '../core/records.js';
import type { Database } from '../store/schema.js';
import { Recorder } from './recorder.js';

const endEvent = (id: string): RecordEvent => ({
  kind: 'interception-end',
  record: { id, endedAt: new Date(), upstreamStatus: 200, error: null },
});

function recorderWith(options: { lingerMs: number; maxBatch?: number }) {
  const batches: number[] = [];
  const recorder = new Recorder({
    db: {} as Kysely<Database>,
    logger: pino({ level: 'silent' }),
    capacity: 1000,
    ...options,
    write: async (_db, events) => {
      batches.push(events.length);
    },
  });
  return { recorder, batches };
}

describe('Recorder linger', () => {
  it('gathers events queued over a few milliseconds into one batch', async () => {
    const { recorder, batches } = recorderWith({ lingerMs: 40 });
    for (let index = 0; index < 5; index++) {
      recorder.enqueue([endEvent(`e${index}`)]);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(batches).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(batches).toEqual([5]);
  });

  it('writes at once when a drain is waiting or a full batch is queued', async () => {
    const { recorder, batches } = recorderWith({ lingerMs: 60_000, maxBatch: 4 });
    recorder.enqueue([endEvent('a')]);
    const started = Date.now();
    await recorder.drain();
    expect(batches).toEqual([1]);
    recorder.enqueue([endEvent('b'), endEvent('c')]);
    recorder.enqueue([endEvent('d'), endEvent('e')]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([1, 4]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
