import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storableText, storableValue } from './storable-text.js';

describe('storableText', () => {
  it('replaces NUL and unpaired surrogates with U+FFFD and keeps surrogate pairs', () => {
    expect(storableText('a\u0000b \ud800 c \udc00 😀')).toBe('a\ufffdb \ufffd c \ufffd 😀');
    expect(storableText('\ud83d\ude00\ud83d')).toBe('😀\ufffd');
  });

  it('always yields well-formed text without NUL, unchanged when it already was', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) }),
        (text) => {
          const stored = storableText(text);
          expect(stored.isWellFormed() && !stored.includes('\0')).toBe(true);
          if (text.isWellFormed() && !text.includes('\0')) expect(stored).toBe(text);
          expect(stored.length).toBe(text.length);
        },
      ),
    );
  });
});

describe('storableValue', () => {
  it('cleans strings and keys at any depth, keeps dates, and returns the same object when clean', () => {
    const at = new Date(0);
    const clean = { a: ['x', { b: 1 }], at };
    expect(storableValue(clean)).toBe(clean);
    const dirty = { 'k\u0000': [{ v: 'a\u0000' }], at, n: null };
    expect(storableValue(dirty)).toEqual({ 'k\ufffd': [{ v: 'a\ufffd' }], at, n: null });
    expect(storableValue(dirty).at).toBe(at);
  });

  it('keeps the untouched neighbours of a changed value, in order, and an own "__proto__" key', () => {
    const parsed = JSON.parse('{"first":1,"__proto__":{"x":"y"},"bad":"\\u0000","last":[1,"\\u0000",3]}');
    const stored = storableValue(parsed);
    expect(Object.keys(stored)).toEqual(['first', '__proto__', 'bad', 'last']);
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ x: 'y' });
    expect(stored.bad).toBe('\ufffd');
    expect(stored.last).toEqual([1, '\ufffd', 3]);
  });
});
