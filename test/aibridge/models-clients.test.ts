import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { recordInterceptions } from '../support/record-fixtures.js';
import { startTestServer } from '../support/server.js';
import { at, buildWorld, getJson, type World } from './world.js';

interface ErrorBody {
  validations?: { field: string; detail: string }[];
}

describeEachDatabase('GET /api/v2/aibridge/models and /clients', (getStore) => {
  let world: World;
  const get = (path: string) => getJson<string[]>(world.server, path);
  const fails = async (path: string) => {
    const { status, body } = await getJson<ErrorBody>(world.server, path);
    expect(status).toBe(400);
    return (body.validations ?? []).map((validation) => validation.field).sort();
  };

  beforeAll(async () => {
    world = await buildWorld(await startTestServer({ store: getStore() }), getStore());
    // Names that sort differently bytewise and under a linguistic collation, and a model seen only in an
    // interception that never ended.
    await recordInterceptions(getStore(), [
      { initiatorId: world.users.bob.id, startedAt: at(4, 0), model: 'Claude-Upper', client: 'aider' },
      { initiatorId: world.users.bob.id, startedAt: at(4, 1), model: 'claude_x', client: 'Zed' },
      { initiatorId: world.users.bob.id, startedAt: at(4, 2), model: 'never-ended', durationMs: null },
    ]);
  });
  afterAll(() => world.server.close());

  it('lists distinct models of ended interceptions, sorted bytewise', async () => {
    const { status, body } = await get('/api/v2/aibridge/models');
    expect(status).toBe(200);
    expect(body).toEqual([
      'Claude-Upper',
      'claude-opus-4',
      'claude-sonnet-4',
      'claude_x',
      'gpt-4.1',
      'gpt-5',
    ]);
  });

  it('lists distinct clients, sorted bytewise', async () => {
    const { body } = await get('/api/v2/aibridge/clients');
    expect(body).toEqual(['Claude Code', 'Codex', 'Cursor', 'Zed', 'aider']);
  });

  it('filters by a case-sensitive prefix, as a bare word or a key', async () => {
    expect((await get('/api/v2/aibridge/models?q=claude')).body).toEqual([
      'claude-opus-4',
      'claude-sonnet-4',
      'claude_x',
    ]);
    expect((await get('/api/v2/aibridge/models?q=model:gpt-')).body).toEqual(['gpt-4.1', 'gpt-5']);
    expect((await get('/api/v2/aibridge/models?q=claude_')).body).toEqual(['claude_x']);
    expect((await get('/api/v2/aibridge/models?q=zzz')).body).toEqual([]);
    expect((await get(`/api/v2/aibridge/clients?q=${encodeURIComponent('"Claude C"')}`)).body).toEqual([
      'Claude Code',
    ]);
    expect((await get('/api/v2/aibridge/clients?q=client:C')).body).toEqual([
      'Claude Code',
      'Codex',
      'Cursor',
    ]);
  });

  it('pages with limit and offset', async () => {
    expect((await get('/api/v2/aibridge/models?limit=2')).body).toEqual(['Claude-Upper', 'claude-opus-4']);
    expect((await get('/api/v2/aibridge/models?limit=2&offset=2')).body).toEqual([
      'claude-sonnet-4',
      'claude_x',
    ]);
    expect((await get('/api/v2/aibridge/clients?q=C&offset=1&limit=1')).body).toEqual(['Codex']);
    expect((await get('/api/v2/aibridge/clients?offset=50')).body).toEqual([]);
  });

  it('refuses bad limits, offsets and search keys', async () => {
    expect(await fails('/api/v2/aibridge/models?limit=0')).toEqual(['limit']);
    expect(await fails('/api/v2/aibridge/models?limit=1001')).toEqual(['limit']);
    expect(await fails('/api/v2/aibridge/clients?offset=-1')).toEqual(['offset']);
    expect(await fails('/api/v2/aibridge/models?q=client:x')).toEqual(['client']);
    expect(await fails('/api/v2/aibridge/clients?q=a%20b')).toEqual(['client']);
    expect(await fails('/api/v2/aibridge/models?q=model:a%20model:b&limit=x')).toEqual(['limit', 'model']);
  });

  it('answers 401 without a token', async () => {
    expect((await getJson(world.server, '/api/v2/aibridge/models', null)).status).toBe(401);
    expect((await getJson(world.server, '/api/v2/aibridge/clients', null)).status).toBe(401);
  });
});
