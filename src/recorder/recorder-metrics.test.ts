import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { endedInterception } from '../../test/support/record-fixtures.js';
import { metricNames } from '../observability/metric-names.js';
import { Metrics } from '../observability/metrics.js';
import { Observability } from '../observability/observability.js';
import type { Database } from '../store/schema.js';
import { Recorder } from './recorder.js';

const interception = endedInterception;

describe('recorder metrics', () => {
  it('count failed batches, the retry that lands, the events written and the queue depth', async () => {
    let queued = 0;
    const metrics = new Metrics({ recorderQueueDepth: () => queued, databasePool: () => null });
    let attempts = 0;
    const recorder = new Recorder({
      db: {} as Kysely<Database>,
      logger: pino({ level: 'silent' }),
      capacity: 10,
      retryDelayMs: 1,
      lingerMs: 0,
      observer: new Observability({ metrics }),
      write: async () => {
        attempts += 1;
        if (attempts <= 2) throw new Error('database away');
      },
    });
    for (const id of ['a', 'b', 'c']) recorder.enqueue(interception(id));
    queued = recorder.pending;
    await recorder.drain();
    const value = async (name: string, labels: Record<string, string> = {}) =>
      (await metrics.registry.getSingleMetric(name)?.get())?.values.find((entry) =>
        Object.entries(labels).every(([key, label]) => entry.labels[key] === label),
      )?.value;
    expect(await value(metricNames.recorderBatchFailures)).toBe(2);
    expect(await value(metricNames.recorderBatchRetries)).toBe(1);
    expect(await value(metricNames.recorderInterceptionsWritten)).toBe(3);
    const text = await metrics.registry.metrics();
    expect(text).toContain(`${metricNames.recorderBatchDuration}_count{result="failed"} 2\n`);
    expect(text).toContain(`${metricNames.recorderBatchDuration}_count{result="ok"} 1\n`);
    expect(await value(metricNames.recorderQueueDepth)).toBe(3);
  });
});
