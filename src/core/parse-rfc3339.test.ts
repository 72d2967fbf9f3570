import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from './parse-rfc3339.js';

describe('parseRfc3339', () => {
  it('reads UTC and offset times to the same instant', () => {
    expect(parseRfc3339('2025-03-01T12:00:00Z')?.toISOString()).toBe('2025-03-01T12:00:00.000Z');
    expect(parseRfc3339('2025-03-01T13:30:00+01:30')?.toISOString()).toBe('2025-03-01T12:00:00.000Z');
    expect(parseRfc3339('2025-03-01T10:00:00-02:00')?.toISOString()).toBe('2025-03-01T12:00:00.000Z');
    expect(parseRfc3339('2025-03-01t12:00:00z')?.toISOString()).toBe('2025-03-01T12:00:00.000Z');
  });

  it('keeps milliseconds of a fraction and drops finer digits', () => {
    expect(parseRfc3339('2025-03-01T12:00:00.123456789Z')?.toISOString()).toBe('2025-03-01T12:00:00.123Z');
    expect(parseRfc3339('2025-03-01T12:00:00.5Z')?.toISOString()).toBe('2025-03-01T12:00:00.500Z');
  });

  it('handles leap days and early years exactly', () => {
    expect(parseRfc3339('2024-02-29T00:00:00Z')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseRfc3339('0050-01-01T00:00:00Z')?.getUTCFullYear()).toBe(50);
  });

  it('refuses times without an offset, impossible dates and other formats', () => {
    for (const text of [
      '2025-03-01T12:00:00',
      '2025-03-01',
      '2025-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2025-13-01T00:00:00Z',
      '2025-01-01T24:00:00Z',
      '2025-01-01T00:60:00Z',
      '2025-01-01T00:00:60Z',
      '2025-01-01T00:00:00+24:00',
      '2025-01-01 00:00:00Z',
      '0000-06-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '1735689600',
      'yesterday',
      '',
    ]) {
      expect(parseRfc3339(text), text).toBeNull();
    }
  });
});
