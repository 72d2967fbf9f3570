import { describe, expect, it } from 'vitest';
import { SignInLimit } from './sign-in-limit.js';

describe('SignInLimit', () => {
  const limited = () => {
    const clock = { now: 1_000_000 };
    const limit = new SignInLimit({ failures: 3, windowMs: 60_000, maxAddresses: 4, now: () => clock.now });
    return { clock, limit };
  };

  it('lets an address fail up to the limit, then refuses it until its oldest failure leaves the window', () => {
    const { clock, limit } = limited();
    limit.recordFailure('10.0.0.1');
    clock.now += 10_000;
    limit.recordFailure('10.0.0.1');
    expect(limit.retryAfterMs('10.0.0.1')).toBe(0);
    clock.now += 5_000;
    limit.recordFailure('10.0.0.1');
    // Failures at 0 s, 10 s and 15 s: the first leaves the window at 60 s, 45 s from now.
    expect(limit.retryAfterMs('10.0.0.1')).toBe(45_000);
    expect(limit.retryAfterMs('10.0.0.2')).toBe(0);
    clock.now += 44_999;
    expect(limit.retryAfterMs('10.0.0.1')).toBe(1);
    clock.now += 1;
    expect(limit.retryAfterMs('10.0.0.1')).toBe(0);
    // One more failure blocks it again, until the second failure (at 10 s) leaves the window.
    limit.recordFailure('10.0.0.1');
    expect(limit.retryAfterMs('10.0.0.1')).toBe(10_000);
  });

  it('forgets addresses whose failures are all older than the window', () => {
    const { clock, limit } = limited();
    limit.recordFailure('10.0.0.1');
    expect(limit.size).toBe(1);
    clock.now += 60_000;
    expect(limit.retryAfterMs('10.0.0.1')).toBe(0);
    expect(limit.size).toBe(0);
  });

  it('remembers at most maxAddresses, dropping the one idle longest', () => {
    const { clock, limit } = limited();
    for (let failure = 0; failure < 3; failure += 1) limit.recordFailure('10.0.0.1');
    for (let address = 2; address <= 5; address += 1) {
      clock.now += 1;
      limit.recordFailure(`10.0.0.${address}`);
    }
    expect(limit.size).toBe(4);
    // 10.0.0.1 failed first and was dropped to make room; the others are still counted.
    expect(limit.retryAfterMs('10.0.0.1')).toBe(0);
    limit.recordFailure('10.0.0.5');
    limit.recordFailure('10.0.0.5');
    expect(limit.retryAfterMs('10.0.0.5')).toBeGreaterThan(0);
  });
});
