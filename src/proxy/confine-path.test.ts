import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../http-error.js';
import { confinePath, normalisePathname } from './confine-path.js';

const refused = (path: string) => {
  try {
    confinePath(path);
  } catch (error) {
    return error instanceof HttpError && error.status === 400;
  }
  return false;
};

describe('confinePath', () => {
  it('takes a canonical path as it is, exactly as normalising would leave it', () => {
    const segmentCharacter = fc.constantFrom(
      ..."abcXYZ019._~!$&'()*+,=:@-;%/\\".split(''),
      '%2e',
      '%2F',
      '%41',
      'é',
    );
    fc.assert(
      fc.property(fc.array(segmentCharacter, { maxLength: 24 }), (characters) => {
        const path = `/${characters.join('')}`;
        let expected: string | null;
        try {
          expected = normalisePathname(path);
        } catch {
          expected = null;
        }
        let actual: string | null;
        try {
          actual = confinePath(path).pathname;
        } catch {
          actual = null;
        }
        expect(actual).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('normalises empty segments, trailing slashes and needless escapes, and keeps the query as received', () => {
    expect(confinePath('/v1//chat/completions/?a=%2e%2e/b')).toEqual({
      pathname: '/v1/chat/completions',
      search: '?a=%2e%2e/b',
    });
    expect(confinePath('/v1/chat/c%6Fmpletions')).toEqual({ pathname: '/v1/chat/completions', search: '' });
    expect(confinePath('/v1beta/models/gemini-2.5-pro:generateContent').pathname).toBe(
      '/v1beta/models/gemini-2.5-pro:generateContent',
    );
    expect(confinePath('/v1/models/a%20b%23c').pathname).toBe('/v1/models/a%20b%23c');
    expect(confinePath('/').pathname).toBe('/');
  });

  it('refuses dot segments, encoded slashes, backslashes and escapes that are not UTF-8', () => {
    for (const path of [
      '/v1/../users',
      '/v1/./models',
      '/v1/%2e%2e/users',
      '/v1/%2E./users',
      '/v1/.%2e',
      '/v1/..;x/users',
      '/v1/%2e;/models',
      '/v1/..%2fusers',
      '/v1/a%2Fb',
      '/v1/a%5cb',
      '/v1/a\\b',
      '/v1/%ff',
      '/v1/%ED%A0%80',
      '/v1/%zz',
    ]) {
      expect({ path, refused: refused(path) }).toEqual({ path, refused: true });
    }
  });

  it('never yields a path that a URL resolver would take above the base path', () => {
    const segment = fc.oneof(
      fc.constantFrom('.', '..', '%2e', '%2E%2e', '', 'v1', 'models', '%2f', '%5C', '\\', ';', '..;', '%00'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), fc.string({ maxLength: 6 }), (segments, query) => {
        const raw = `/${segments.join('/')}?${query}`;
        let confined: ReturnType<typeof confinePath>;
        try {
          confined = confinePath(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          expect((error as HttpError).code).toBeDefined();
          return;
        }
        const resolved = new URL(`/tenant-a/v1${confined.pathname}`, 'http://provider.test').pathname;
        expect(resolved.startsWith('/tenant-a/v1/') || resolved === '/tenant-a/v1/').toBe(true);
        for (const part of confined.pathname.split('/')) {
          expect(['.', '..']).not.toContain(decodeURIComponent(part));
          expect(part).not.toMatch(/%2f|%5c|\\/i);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
