/**
 * The contract of seed 002 (test/fixtures/aibridge-seed-002.json holds its example responses and parameter
 * tables verbatim): every seed parameter and field is in the OpenAPI document with the seed's type, and
 * every real response has exactly the seed example's keys at every level, plus the extensions declared
 * below and nothing else.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { startTestServer } from '../support/server.js';
import { buildWorld, getJson, type World } from './world.js';

interface SeedRoute {
  path: string;
  parameters: { name: string; in: string; type: string; required: boolean }[];
  example: unknown;
}
const seed = JSON.parse(
  readFileSync(new URL('../fixtures/aibridge-seed-002.json', import.meta.url), 'utf8'),
) as {
  routes: Record<string, SeedRoute>;
};

interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
}
interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    {
      get: {
        parameters: { name: string; in: string; required: boolean; schema: Schema }[];
        responses: Record<string, { content: { 'application/json': { schema: Schema } } }>;
      };
    }
  >;
  components: { schemas: Record<string, Schema> };
}

/** Fields the bridge adds beyond the seed, by the path the checks below name an object with. */
const extensions: Record<string, string[]> = {
  'interceptions.results[]': ['error_type', 'error_message', 'upstream_status'],
  'session_threads.threads[]': ['error_type', 'error_message', 'upstream_status'],
  'sessions.sessions[]': ['errors'],
  session_threads: ['errors'],
};
const withExtensions = (keys: string[], path: string) => [...keys, ...(extensions[path] ?? [])].sort();

/** Seed placeholders say the type: "string", 0, true, a date-time, a UUID or a URL; `{property1: null}` a map. */
function expectSchemaMatches(document: OpenApi, schema: Schema, example: unknown, path: string): void {
  const resolved = schema.$ref ? document.components.schemas[schema.$ref.split('/').at(-1)!] : schema;
  expect(resolved, path).toBeDefined();
  const s = resolved!;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (Array.isArray(example)) {
    expect(types, path).toContain('array');
    expectSchemaMatches(document, s.items!, example[0], `${path}[]`);
  } else if (example !== null && typeof example === 'object') {
    expect(types, path).toContain('object');
    const keys = Object.keys(example);
    if (keys.every((key) => /^property\d$/.test(key))) {
      expect(s.additionalProperties, `${path} is a map`).toBeTruthy();
      return;
    }
    expect(Object.keys(s.properties ?? {}).sort(), path).toEqual(withExtensions(keys, path));
    for (const [key, value] of Object.entries(example)) {
      expectSchemaMatches(document, s.properties![key]!, value, `${path}.${key}`);
    }
  } else if (typeof example === 'number') {
    expect(types, path).toContain('integer');
  } else if (typeof example === 'boolean') {
    expect(types, path).toContain('boolean');
  } else if (typeof example === 'string') {
    expect(types, path).toContain('string');
    if (/^\d{4}-\d{2}-\d{2}T/.test(example)) expect(s.format, path).toBe('date-time');
    else if (/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(example)) expect(s.format, path).toBe('uuid');
    else if (example.startsWith('http')) expect(s.format, path).toBe('uri');
  }
}

/**
 * The keys of `actual` equal those of the seed's `example` at every level (maps excepted). Array paths
 * whose elements were compared are added to `compared`, so a test can insist that none went unchecked.
 */
function expectSameKeys(actual: unknown, example: unknown, path: string, compared: Set<string>): void {
  if (Array.isArray(example)) {
    expect(Array.isArray(actual), path).toBe(true);
    for (const item of actual as unknown[]) {
      compared.add(path);
      expectSameKeys(item, example[0], `${path}[]`, compared);
    }
  } else if (example !== null && typeof example === 'object') {
    const keys = Object.keys(example);
    if (keys.every((key) => /^property\d$/.test(key))) return;
    expect(actual !== null && typeof actual === 'object', path).toBe(true);
    expect(Object.keys(actual as object).sort(), path).toEqual(withExtensions(keys, path));
    for (const key of keys) {
      const value = (actual as Record<string, unknown>)[key];
      // A nullable leaf may be null; a nested object or array must be present to compare.
      if (value !== null || typeof (example as Record<string, unknown>)[key] === 'object') {
        expectSameKeys(value, (example as Record<string, unknown>)[key], `${path}.${key}`, compared);
      }
    }
  }
}

/** Every array path of a seed example, as `expectSameKeys` names them. */
function arrayPaths(example: unknown, path: string): string[] {
  if (Array.isArray(example)) return [path, ...arrayPaths(example[0], `${path}[]`)];
  if (example === null || typeof example !== 'object') return [];
  return Object.entries(example).flatMap(([key, value]) => arrayPaths(value, `${path}.${key}`));
}

describeEachDatabase('the seed 002 contract', (getStore) => {
  let world: World;
  let document: OpenApi;

  beforeAll(async () => {
    world = await buildWorld(await startTestServer({ store: getStore() }), getStore());
    const response = await world.server.api('/api/v2/openapi.json', { token: null });
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApi;
  });
  afterAll(() => world.server.close());

  it('serves an OpenAPI 3.1 document with every seed route and parameter', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const route of Object.values(seed.routes)) {
      const operation = document.paths[route.path]?.get;
      expect(operation, route.path).toBeDefined();
      for (const parameter of route.parameters) {
        const found = operation!.parameters.find((candidate) => candidate.name === parameter.name);
        expect(found, `${route.path} ${parameter.name}`).toMatchObject({
          in: parameter.in,
          required: parameter.required,
          schema: { type: parameter.type },
        });
      }
    }
  });

  it('describes every seed response field with the seed type, and no field the seed lacks', () => {
    for (const [name, route] of Object.entries(seed.routes)) {
      const schema = document.paths[route.path]!.get.responses['200']!.content['application/json'].schema;
      expectSchemaMatches(document, schema, route.example, name);
    }
  });

  it('answers every route with exactly the keys of the seed example', async () => {
    const paths: Record<string, string> = {
      clients: '/api/v2/aibridge/clients',
      interceptions: `/api/v2/aibridge/interceptions?q=initiator:alice&after_id=${world.ids.b1}`,
      models: '/api/v2/aibridge/models',
      sessions: '/api/v2/aibridge/sessions',
      session_threads: '/api/v2/aibridge/sessions/cc-session-1',
    };
    for (const [name, route] of Object.entries(seed.routes)) {
      const { status, body } = await getJson(world.server, paths[name]!);
      expect(status, name).toBe(200);
      const compared = new Set<string>();
      expectSameKeys(body, route.example, name, compared);
      expect([...compared].sort(), `${name}: every array had an element to compare`).toEqual(
        arrayPaths(route.example, name).sort(),
      );
    }
  });
});
