import { describe, expect, it } from 'vitest';
import { compilePathPattern } from './match-path.js';

describe('compilePathPattern', () => {
  it('matches a placeholder within one whole segment, colons included', () => {
    const models = compilePathPattern('/v1/models/{model}');
    expect(models('/v1/models/gpt-4.1')).toBe(true);
    expect(models('/v1/models/ft:gpt-4o:org:1')).toBe(true);
    expect(models('/v1/models')).toBe(false);
    expect(models('/v1/models/a/b')).toBe(false);
  });

  it('tells Gemini methods apart by the literal text that ends the segment', () => {
    const generate = compilePathPattern('/v1beta/models/{model}:generateContent');
    expect(generate('/v1beta/models/gemini-2.5-flash:generateContent')).toBe(true);
    expect(generate('/v1beta/models/gemini-2.5-flash:streamGenerateContent')).toBe(false);
    expect(generate('/v1beta/models/:generateContent')).toBe(false);
    expect(generate('/v1beta/models/x.generateContent')).toBe(false);
  });
});
