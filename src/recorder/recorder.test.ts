import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { RecordEvent } from '../core/records.js';
import type { Database } from '../store/schema.js';
import { Recorder } from './recorder.js';

const db = {} as Kysely<Database>;
const logger = pino({ level: 'silent' });
const startEvent = (id: string): RecordEvent => ({
  kind: 'interception-start',
  record: {
    id,
    initiatorId: 'u',
    apiKeyId: null,
    provider: 'openai',
    providerName: 'openai',
    model: 'm',
    client: 'Unknown',
    clientSessionId: null,
    threadParentId: null,
    threadRootId: null,
    credentialKind: 'centralized',
    credentialHint: '',
    metadata: {},
    startedAt: new Date(),
  },
});
const endEvent = (id: string): RecordEvent => ({
  kind: 'interception-end',
  record: { id, endedAt: new Date(), upstreamStatus: 200, error: null },
});

describe('Recorder', () => {
  it('writes queued events in order, in batches, and drains', async () => {
    const written: string[][] = [];
    const recorder = new Recorder({
      db,
      logger,
      capacity: 100,
      maxBatch: 3,
      write: async (_db, events) => {
        written.push(events.map((event) => `${event.kind}:${event.record.id}`));
      },
    });
    recorder.enqueue([startEvent('a'), endEvent('a')]);
    recorder.enqueue([startEvent('b'), endEvent('b')]);
    await recorder.drain();
    expect(written.flat()).toEqual([
      'interception-start:a',
      'interception-end:a',
      'interception-start:b',
      'interception-end:b',
    ]);
    expect(written.every((batch) => batch.length <= 3)).toBe(true);
    expect(recorder.pending).toBe(0);
    expect(recorder.written).toBe(4);
  });

  it('retries a failed batch with backoff until it lands, losing nothing', async () => {
    let attempts = 0;
    const landed: string[] = [];
    const recorder = new Recorder({
      db,
      logger,
      capacity: 100,
      retryDelayMs: 1,
      write: async (_db, events) => {
        attempts += 1;
        if (attempts <= 3) throw new Error('database down');
        landed.push(...events.map((event) => event.record.id));
      },
    });
    recorder.enqueue([startEvent('x'), endEvent('x')]);
    await recorder.drain();
    expect(attempts).toBe(4);
    expect(landed).toEqual(['x', 'x']);
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
    recorder.enqueue([startEvent('x'), endEvent('x')]);
    await recorder.drain();
    expect(steps).toEqual(['write failed', 'probe', 'probe', 'probe', 'probe', 'probe', 'write ok']);
    expect(recorder.written).toBe(2);
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
    recorder.enqueue([startEvent('x'), endEvent('x')]);
    const drained = recorder.drain();
    await probing;
    expect(recorder.waitingForDatabase).toBe(true);
    expect(recorder.release()).toBe(2);
    await drained;
    await recorder.drain();
    expect(writes).toBe(1);
    expect(recorder.written).toBe(0);
  });

  it('refuses a new interception when full but accepts events of admitted ones', async () => {
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const recorder = new Recorder({ db, logger, capacity: 2, write: () => blocked });
    expect(recorder.enqueue([startEvent('a')])).toBe(true);
    expect(recorder.enqueue([startEvent('b')])).toBe(true);
    expect(recorder.hasRoom()).toBe(false);
    expect(recorder.enqueue([startEvent('c')])).toBe(false);
    expect(recorder.enqueue([endEvent('a')])).toBe(true);
    expect(recorder.pending).toBe(3);
    release();
    await recorder.drain();
    expect(recorder.pending).toBe(0);
    expect(recorder.hasRoom()).toBe(true);
  });

  it('makes drain wait for an admitted interception until its events are queued and written', async () => {
    const landed: string[] = [];
    const recorder = new Recorder({
      db,
      logger,
      capacity: 1,
      write: async (_db, events) => {
        landed.push(...events.map((event) => event.record.id));
      },
    });
    expect(recorder.admit()).toBe(true);
    let drained = false;
    const draining = recorder.drain().then(() => {
      drained = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(drained).toBe(false);
    recorder.enqueue([startEvent('late'), endEvent('late')], { admitted: true });
    await draining;
    expect(landed).toEqual(['late', 'late']);
  });

  it('refuses admission when the queue is full', async () => {
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const recorder = new Recorder({ db, logger, capacity: 1, write: () => blocked });
    recorder.enqueue([startEvent('a')]);
    expect(recorder.admit()).toBe(false);
    release();
    await recorder.drain();
    expect(recorder.admit()).toBe(true);
  });
});
