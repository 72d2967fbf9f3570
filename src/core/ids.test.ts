import { describe, expect, it } from 'vitest';
import { isUuid, newId } from './ids.js';

describe('newId', () => {
  it('makes version 7 UUIDs with the RFC 9562 variant and the current time in the first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const millis = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(after + 1);
    expect(isUuid(id)).toBe(true);
  });

  it('makes strictly increasing, distinct ids within a process', () => {
    const ids = Array.from({ length: 50_000 }, () => newId());
    expect(ids.every((id, index) => index === 0 || id > (ids[index - 1] as string))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
