import { describe, expect, it } from 'vitest';
import { sumTokenUsages } from './sum-token-usages.js';

const usage = (metadata: Record<string, unknown>, tokens = 1) => ({
  inputTokens: tokens,
  outputTokens: 2 * tokens,
  cacheReadInputTokens: 3 * tokens,
  cacheWriteInputTokens: 4 * tokens,
  metadata,
});

describe('sumTokenUsages', () => {
  it('sums the four token counts', () => {
    const sum = sumTokenUsages([usage({}, 1), usage({}, 10)]);
    expect(sum).toMatchObject({
      inputTokens: 11,
      outputTokens: 22,
      cacheReadInputTokens: 33,
      cacheWriteInputTokens: 44,
    });
  });

  it('sums numeric metadata leaves by dotted key and leaves other values out', () => {
    const sum = sumTokenUsages([
      usage({ reasoning_tokens: 5, details: { audio: 1, deep: { x: 2 } }, tier: 'standard', flags: [1, 2] }),
      usage({ reasoning_tokens: 7, details: { audio: 0.5 }, ok: true, none: null }),
    ]);
    expect(Object.fromEntries(sum.metadata)).toEqual({
      reasoning_tokens: 12,
      'details.audio': 1.5,
      'details.deep.x': 2,
    });
  });

  it('treats a __proto__ metadata key as an ordinary key', () => {
    const sum = sumTokenUsages([usage(JSON.parse('{"__proto__": {"polluted": 1}}'))]);
    expect(Object.fromEntries(sum.metadata)).toEqual({ '__proto__.polluted': 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is zero for no usages', () => {
    expect(sumTokenUsages([])).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
      metadata: new Map(),
    });
  });
});
