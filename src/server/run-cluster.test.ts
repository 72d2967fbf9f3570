import { describe, expect, it } from 'vitest';
import { failuresAfter, restartDelay } from './run-cluster.js';

describe('replacing a dead worker', () => {
  it('waits 250 ms after a first death, doubling with each quick death up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 8, 20].map(restartDelay)).toEqual([250, 500, 1000, 2000, 4000, 30_000, 30_000]);
  });

  it('counts deaths within a minute of the start in a row, and starts over after a healthy life', () => {
    let failures = 0;
    for (let death = 0; death < 4; death++) failures = failuresAfter(failures, 2_000);
    expect(failures).toBe(4);
    expect(restartDelay(failures)).toBe(2000);
    failures = failuresAfter(failures, 60_000);
    expect(failures).toBe(1);
    expect(restartDelay(failures)).toBe(250);
  });
});
