import { describe, expect, it } from 'vitest';
import type { Config } from '../config/config.js';
import { maxDefaultWorkers, workerCount } from './workers.js';

const config = (fields: Partial<Config>) => ({ databaseUrl: undefined, ...fields }) as Config;

describe('workerCount', () => {
  it('runs one process on the embedded database, and refuses more in one line', () => {
    expect(workerCount(config({}), 16)).toBe(1);
    expect(workerCount(config({ workers: 1 }), 16)).toBe(1);
    expect(workerCount(config({ workers: 3 }), 16)).toEqual({
      error:
        '3 workers need a PostgreSQL database (--database-url): the embedded database serves one process',
    });
  });

  it('defaults to one per core on PostgreSQL, at most 8, and honours an explicit count', () => {
    const postgres = { databaseUrl: 'postgres://db/aibridge' };
    expect(workerCount(config(postgres), 1)).toBe(1);
    expect(workerCount(config(postgres), 4)).toBe(4);
    expect(workerCount(config(postgres), 64)).toBe(maxDefaultWorkers);
    expect(workerCount(config({ ...postgres, workers: 12 }), 2)).toBe(12);
  });
});
