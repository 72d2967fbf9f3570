import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { endedInterception } from '../../test/support/record-fixtures.js';
import type { RecordedInterception } from '../core/records.js';
import type { Database } from '../store/schema.js';
import { Recorder } from './recorder.js';

const db = {} as Kysely<Database>;
const logger = pino({ level: 'silent' });
const interception = endedInterception;
const ids = (interceptions: readonly RecordedInterception[]) => interceptions.map(({ start }) => start.id);

describe('Recorder', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes queued interceptions in order, whole, in batches, and drains', async () => {
    const written: string[][] = [];
    const recorder = new Recorder({
      db,
      logger,
      capacity: 100,
      maxBatch: 2,
      write: async (_db, interceptions) => {
        written.push(ids(interceptions));
      },
    });
    recorder.enqueue(interception('a'));
    recorder.enqueue(interception('b'));
    recorder.enqueue(interception('c'));
    await recorder.drain();
    expect(written.flat()).toEqual(['a', 'b', 'c']);
    expect(written.every((batch) => batch.length <= 2)).toBe(true);
    expect(recorder.pending).toBe(0);
    expect(recorder.written).toBe(3);
  });

  it('writes a second batch beside the first only while full batches wait, counting both as pending', async () => {
    const started: string[][] = [];
    const finish: Array<() => void> = [];
    const recorder = new Recorder({
      db,
      logger,
      capacity: 100,
      maxBatch: 2,
      writers: 2,
      lingerMs: 0,
      write: (_db, interceptions) => {
        started.push(ids(interceptions));
        return new Promise<void>((resolve) => finish.push(resolve));
      },
    });
    for (const id of ['a', 'b', 'c', 'd', 'e']) recorder.enqueue(interception(id));
    await vi.waitFor(() => expect(started).toHaveLength(2));
    // Two batches in flight and one interception queued; no third writer.
    expect(started.flat().sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(recorder.pending).toBe(5);
    expect(recorder.hasRoom()).toBe(true);
    finish.shift()?.();
    await vi.waitFor(() => expect(started).toHaveLength(3));
    expect(started[2]).toEqual(['e']);
    for (const resolve of finish.splice(0)) resolve();
    await vi.waitFor(() => expect(finish).toHaveLength(0));
    await recorder.drain();
    expect(recorder.written).toBe(5);
    expect(recorder.pending).toBe(0);

    // A backlog below a full batch is left to one writer.
    recorder.enqueue(interception('f'));
    await vi.waitFor(() => expect(started).toHaveLength(4));
    recorder.enqueue(interception('g'));
    // A further writer would take its batch after one turn of the event loop.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(4);
    finish.shift()?.();
    await vi.waitFor(() => expect(started).toHaveLength(5));
    finish.shift()?.();
    await recorder.drain();
    expect(started.slice(3)).toEqual([['f'], ['g']]);
  });

  it('retries a failed batch with backoff until it lands, losing nothing', async () => {
    let attempts = 0;
    const landed: string[] = [];
    const recorder = new Recorder({
      db,
      logger,
      capacity: 100,
      retryDelayMs: 1,
      write: async (_db, interceptions) => {
        attempts += 1;
        if (attempts <= 3) throw new Error('database down');
        landed.push(...ids(interceptions));
      },
    });
    recorder.enqueue(interception('x'));
    await recorder.drain();
    expect(attempts).toBe(4);
    expect(landed).toEqual(['x']);
  });

  it('while the database is unreachable, probes it and writes the batch the moment it answers', async () => {
    const steps: string[] = [];
    let reachable = false;
    const recorder = new Recorder({
      db,
      logger,
      capacity: 100,
      probeIntervalMs: 1,
      // A backoff this long would time the test out: recovery must come from the probe.
      retryDelayMs: 60_000,
      write: async () => {
        steps.push(reachable ? 'write ok' : 'write failed');
        if (!reachable)
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      },
      probe: async () => {
        const probes = steps.filter((step) => step === 'probe').length;
        steps.push('probe');
        if (probes === 4) reachable = true;
        else throw Object.assign(new Error('Connection terminated unexpectedly'), {});
      },
    });
    recorder.enqueue(interception('x'));
    await recorder.drain();
    expect(steps).toEqual(['write failed', 'probe', 'probe', 'probe', 'probe', 'probe', 'write ok']);
    expect(recorder.written).toBe(1);
  });

  it('on release while the database is unreachable, stops writing and lets every drain resolve', async () => {
    let writes = 0;
    let probed: () => void = () => {};
    const probing = new Promise<void>((resolve) => {
      probed = resolve;
    });
    const recorder = new Recorder({
      db,
      logger,
      capacity: 100,
      probeIntervalMs: 1,
      write: async () => {
        writes += 1;
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      probe: async () => {
        probed();
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
    });
    recorder.enqueue(interception('x'));
    const drained = recorder.drain();
    await probing;
    expect(recorder.waitingForDatabase).toBe(true);
    expect(recorder.release()).toBe(1);
    await drained;
    await recorder.drain();
    expect(writes).toBe(1);
    expect(recorder.written).toBe(0);
  });

  it('refuses a new interception when full but accepts admitted ones', async () => {
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const recorder = new Recorder({ db, logger, capacity: 2, write: () => blocked });
    expect(recorder.enqueue(interception('a'))).toBe(true);
    expect(recorder.enqueue(interception('b'))).toBe(true);
    expect(recorder.hasRoom()).toBe(false);
    expect(recorder.enqueue(interception('c'))).toBe(false);
    expect(recorder.enqueue(interception('d'), { admitted: true })).toBe(true);
    expect(recorder.pending).toBe(3);
    release();
    await recorder.drain();
    expect(recorder.pending).toBe(0);
    expect(recorder.hasRoom()).toBe(true);
  });

  it('makes drain wait for an admitted interception until it is queued and written', async () => {
    vi.useFakeTimers();
    const landed: string[] = [];
    const recorder = new Recorder({
      db,
      logger,
      capacity: 1,
      write: async (_db, interceptions) => {
        landed.push(...ids(interceptions));
      },
    });
    expect(recorder.admit()).toBe(true);
    let drained = false;
    const draining = recorder.drain().then(() => {
      drained = true;
    });
    // However long the response takes, the drain waits for its record.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(drained).toBe(false);
    recorder.enqueue(interception('late'), { admitted: true });
    await vi.runAllTimersAsync();
    await draining;
    expect(landed).toEqual(['late']);
  });

  it('refuses admission when the queue is full', async () => {
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const recorder = new Recorder({ db, logger, capacity: 1, write: () => blocked });
    recorder.enqueue(interception('a'));
    expect(recorder.admit()).toBe(false);
    release();
    await recorder.drain();
    expect(recorder.admit()).toBe(true);
  });
});
