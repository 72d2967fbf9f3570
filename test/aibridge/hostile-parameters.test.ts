/**
 * Every query parameter and path segment of every API route, fuzzed with arbitrary Unicode (unpaired
 * surrogates included), NUL and bytes that are not UTF-8: the answer is never a 5xx, and a 500 never
 * carries a database's error text.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryRoutes } from '../../src/api/aibridge/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** One fuzzed route: its method, its path with `{name}` parameters, and its query parameter names. */
interface FuzzRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query: string[];
}

const managementRoutes: FuzzRoute[] = [
  { method: 'GET', path: '/api/v2/users', query: [] },
  { method: 'GET', path: '/api/v2/users/{user}', query: [] },
  { method: 'GET', path: '/api/v2/users/{user}/keys/tokens', query: [] },
  { method: 'POST', path: '/api/v2/users/{user}/keys/tokens', query: [] },
  { method: 'DELETE', path: '/api/v2/users/{user}/keys/{id}', query: [] },
];

// The query routes come from their specs, so a parameter added to a route is fuzzed without a change here.
const routes: FuzzRoute[] = [
  ...managementRoutes,
  ...queryRoutes.map((route) => ({
    method: 'GET' as const,
    path: route.path,
    query: route.parameters
      .filter((parameter) => parameter.in === 'query')
      .map((parameter) => parameter.name),
  })),
];

const searchKeys = [
  'initiator',
  'provider',
  'provider_name',
  'model',
  'client',
  'session_id',
  'started_after',
  'started_before',
];

/** Percent-encodes UTF-16 code units one by one: an unpaired surrogate becomes its (invalid) UTF-8 bytes. */
function encodeUnits(text: string): string {
  let encoded = '';
  for (const unit of text) {
    const code = unit.codePointAt(0) ?? 0;
    if (/^[A-Za-z0-9_~-]$/.test(unit)) encoded += unit;
    else if (code >= 0xd800 && code <= 0xdfff) {
      const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
      encoded += bytes.map(hex).join('');
    } else encoded += [...Buffer.from(unit, 'utf8')].map(hex).join('');
  }
  return encoded;
}

function hex(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

const codeUnitText = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    fc.constantFrom('\0', '\uD800', '\uDFFF', ':', '"', ' ', '-', 'a'),
    fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
  ),
  maxLength: 12,
});

/** An already percent-encoded value. */
const encodedValue = fc.oneof(
  codeUnitText.map(encodeUnits),
  fc.uint8Array({ maxLength: 12 }).map((bytes) => [...bytes].map(hex).join('')),
  fc
    .tuple(fc.constantFrom(...searchKeys), codeUnitText)
    .map(([key, value]) => encodeUnits(`${key}:${value}`)),
  fc.constantFrom(
    'a%00b',
    'model%3Aa%00b',
    '%FF',
    '%ED%A0%80',
    '%C0%AF',
    '-1',
    '1e30',
    '99999999999999999999',
    '0',
    '%2E%2E',
    '00000000-0000-0000-0000-000000000000',
    '00000000-0000-0000-0000-00000000000%00',
  ),
);

const lifetime = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((value) => Number(value)),
  codeUnitText,
  fc.constantFrom('9999999999d', '1e30', '-1d', 'NaN', 'Infinity', '3650d', '1h', 1e30, -1, 0.5),
);

const request = fc.record({
  route: fc.constantFrom(...routes),
  pathValues: fc.array(encodedValue, { minLength: 2, maxLength: 2 }),
  queryValues: fc.array(fc.option(encodedValue, { nil: undefined }), { minLength: 6, maxLength: 6 }),
  tokenBody: fc.record({ token_name: codeUnitText, lifetime }, { requiredKeys: [] }),
});

describeEachDatabase('API routes under hostile parameters', (getStore) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store: getStore() });
  });
  afterAll(async () => {
    await server?.close();
  });

  const get = (path: string) => server.api(path);

  it('refuses NUL in a path segment, a query value or a search value with a 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v2/aibridge/sessions/a%00b', 'session_id'],
      ['/api/v2/users/a%00', 'user'],
      ['/api/v2/users/me/keys/tokens?x=%00', 'x'],
      ['/api/v2/aibridge/interceptions?q=model:a%00b', 'q'],
      ['/api/v2/aibridge/sessions?after_session_id=a%00b', 'after_session_id'],
      ['/api/v2/aibridge/interceptions?after_id=%ED%A0%80', 'after_id'],
      ['/api/v2/aibridge/models?q=%00', 'q'],
    ];
    for (const [path, field] of cases) {
      const response = await get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      const body = (await response.json()) as { validations?: Array<{ field: string }> };
      expect(body.validations?.map((validation) => validation.field)).toContain(field);
    }
    const created = await server.api('/api/v2/users', {
      method: 'POST',
      body: { username: 'nul-name', name: 'a\u0000b' },
    });
    expect(created.status).toBe(400);
    expect(await created.json()).toMatchObject({ validations: [{ field: 'name' }] });
  });

  it('bounds token lifetimes at ten years, for numbers and strings', async () => {
    const refused: unknown[] = ['9999999999d', '3700d', 1e30, 4e17, -1, '-1d', 'NaN', 'Infinity', 1.5];
    for (const value of refused) {
      const response = await server.api('/api/v2/users/me/keys/tokens', {
        method: 'POST',
        body: { lifetime: value },
      });
      expect({ value, status: response.status }).toEqual({ value, status: 400 });
      expect(await response.json()).toMatchObject({ validations: [{ field: 'lifetime' }] });
    }
    const longest = await server.api('/api/v2/users/me/keys/tokens', {
      method: 'POST',
      body: { token_name: 'ten-years', lifetime: '3650d' },
    });
    expect(longest.status).toBe(201);
  });

  it('never answers a fuzzed parameter with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ route, pathValues, queryValues, tokenBody }) => {
        let index = 0;
        const path = route.path.replace(/\{\w+\}/g, () => pathValues[index++] ?? 'x');
        const query = route.query
          .flatMap((name, position) => {
            const value = queryValues[position % queryValues.length];
            return value === undefined ? [] : [`${name}=${value}`];
          })
          .join('&');
        const response = await server.api(query === '' ? path : `${path}?${query}`, {
          method: route.method,
          ...(route.method === 'POST' ? { body: tokenBody } : {}),
        });
        const text = await response.text();
        if (response.status >= 500)
          throw new Error(`${route.method} ${path}?${query} → ${response.status} ${text}`);
        expect(text).not.toMatch(/invalid byte sequence|invalid input syntax|unsupported Unicode/);
      }),
      // A few seconds per engine on a shared machine; the seed is printed on failure to replay it.
      { numRuns: 300 },
    );
  });
});
