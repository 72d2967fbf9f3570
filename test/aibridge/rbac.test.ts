import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { startTestServer } from '../support/server.js';
import { buildWorld, getJson, type World } from './world.js';

type Caller = 'owner' | 'auditor' | 'member' | 'other member' | 'no token';

describeEachDatabase('query API authorisation', (getStore) => {
  let world: World;
  const tokenOf = (caller: Caller): string | null | undefined =>
    ({
      owner: undefined,
      auditor: world.users.carol.token,
      member: world.users.alice.token,
      'other member': world.users.bob.token,
      'no token': null,
    })[caller];
  const get = <T>(caller: Caller, path: string) => getJson<T>(world.server, path, tokenOf(caller));

  beforeAll(async () => {
    world = await buildWorld(await startTestServer({ store: getStore() }), getStore());
  });
  afterAll(() => world.server.close());

  it('interceptions: owners and auditors see all, members their own, with counts to match', async () => {
    const { a1, a2, a3, b1, x1, bob1, bob2 } = world.ids;
    const expected: [Caller, number, string[] | null][] = [
      ['owner', 200, [bob1, x1, b1, a3, a2, a1, bob2]],
      ['auditor', 200, [bob1, x1, b1, a3, a2, a1, bob2]],
      ['member', 200, [x1, b1, a3, a2, a1]],
      ['other member', 200, [bob1, bob2]],
      ['no token', 401, null],
    ];
    for (const [caller, status, ids] of expected) {
      const response = await get<{ count: number; results: { id: string }[] }>(
        caller,
        '/api/v2/aibridge/interceptions',
      );
      expect(response.status, caller).toBe(status);
      if (ids) {
        expect(
          response.body.results.map((row) => row.id),
          caller,
        ).toEqual(ids);
        expect(response.body.count, caller).toBe(ids.length);
      }
    }
  });

  it('sessions: owners and auditors see all, members their own, with counts to match', async () => {
    const expected: [Caller, number, string[] | null][] = [
      ['owner', 200, ['zed-1', world.ids.x1, 'cc-session-1', world.ids.bob2]],
      ['auditor', 200, ['zed-1', world.ids.x1, 'cc-session-1', world.ids.bob2]],
      ['member', 200, [world.ids.x1, 'cc-session-1']],
      ['other member', 200, ['zed-1', world.ids.bob2]],
      ['no token', 401, null],
    ];
    for (const [caller, status, ids] of expected) {
      const response = await get<{ count: number; sessions: { id: string }[] }>(
        caller,
        '/api/v2/aibridge/sessions',
      );
      expect(response.status, caller).toBe(status);
      if (ids) {
        expect(
          response.body.sessions.map((row) => row.id),
          caller,
        ).toEqual(ids);
        expect(response.body.count, caller).toBe(ids.length);
      }
    }
  });

  it("session threads: another member's session is 404, by session key or interception id", async () => {
    const expected: [Caller, number][] = [
      ['owner', 200],
      ['auditor', 200],
      ['member', 200],
      ['other member', 404],
      ['no token', 401],
    ];
    for (const [caller, status] of expected) {
      expect((await get(caller, '/api/v2/aibridge/sessions/cc-session-1')).status, caller).toBe(status);
      expect((await get(caller, `/api/v2/aibridge/sessions/${world.ids.a2}`)).status, caller).toBe(status);
    }
  });

  it('models and clients: members see only the values of their own interceptions', async () => {
    const expected: [Caller, number, string[] | null, string[] | null][] = [
      [
        'owner',
        200,
        ['claude-opus-4', 'claude-sonnet-4', 'gpt-4.1', 'gpt-5'],
        ['Claude Code', 'Codex', 'Cursor', 'Zed'],
      ],
      [
        'auditor',
        200,
        ['claude-opus-4', 'claude-sonnet-4', 'gpt-4.1', 'gpt-5'],
        ['Claude Code', 'Codex', 'Cursor', 'Zed'],
      ],
      ['member', 200, ['claude-opus-4', 'claude-sonnet-4', 'gpt-5'], ['Claude Code', 'Codex']],
      ['other member', 200, ['claude-sonnet-4', 'gpt-4.1'], ['Cursor', 'Zed']],
      ['no token', 401, null, null],
    ];
    for (const [caller, status, models, clients] of expected) {
      const modelsResponse = await get<string[]>(caller, '/api/v2/aibridge/models');
      const clientsResponse = await get<string[]>(caller, '/api/v2/aibridge/clients');
      expect([modelsResponse.status, clientsResponse.status], caller).toEqual([status, status]);
      if (models) expect(modelsResponse.body, caller).toEqual(models);
      if (clients) expect(clientsResponse.body, caller).toEqual(clients);
    }
  });

  it('a member cannot name another user, nor page from records they cannot see', async () => {
    const fields = async (path: string) => {
      const response = await get<{ validations?: { field: string }[] }>('member', path);
      expect(response.status, path).toBe(400);
      return response.body.validations?.map((validation) => validation.field);
    };
    // Existing and missing users answer alike, so the answer reveals nothing about other users.
    expect(await fields('/api/v2/aibridge/interceptions?q=initiator:bob')).toEqual(['initiator']);
    expect(await fields('/api/v2/aibridge/interceptions?q=initiator:nobody')).toEqual(['initiator']);
    expect(await fields(`/api/v2/aibridge/sessions?q=initiator:${world.users.bob.id}`)).toEqual([
      'initiator',
    ]);
    expect(await fields(`/api/v2/aibridge/interceptions?after_id=${world.ids.bob1}`)).toEqual(['after_id']);
    expect(await fields('/api/v2/aibridge/sessions?after_session_id=zed-1')).toEqual(['after_session_id']);
    const self = await get<{ count: number }>('member', '/api/v2/aibridge/interceptions?q=initiator:me');
    expect(self.body.count).toBe(5);
    const byName = await get<{ count: number }>('member', '/api/v2/aibridge/sessions?q=initiator:Alice');
    expect(byName.body.count).toBe(2);
  });
});
