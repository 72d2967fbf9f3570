import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

describeEachDatabase('PUT /api/v2/users/{user}/roles', (getStore) => {
  let server: TestServer;
  let dana: { id: string; username: string; token: string };
  const put = (user: string, body: unknown, token?: string) =>
    server.api(`/api/v2/users/${user}/roles`, { method: 'PUT', body, ...(token ? { token } : {}) });

  beforeAll(async () => {
    server = await startTestServer({ store: getStore() });
    dana = await server.createUser('dana');
  });
  afterAll(() => server.close());

  it("lets an owner change a user's roles", async () => {
    const response = await put('dana', { roles: ['auditor'] });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { roles: string[] }).roles).toEqual(['auditor']);
    const read = await server.api(`/api/v2/users/${dana.id}`);
    expect(((await read.json()) as { roles: string[] }).roles).toEqual(['auditor']);
    const back = await put(dana.id, { roles: [] });
    expect(((await back.json()) as { roles: string[] }).roles).toEqual([]);
  });

  it('refuses members, unknown roles and unknown users', async () => {
    expect((await put('dana', { roles: ['owner'] }, dana.token)).status).toBe(403);
    const bad = await put('dana', { roles: ['admin'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { validations: { field: string }[] }).validations[0]?.field).toBe('roles');
    expect((await put('nobody-here', { roles: [] })).status).toBe(404);
  });

  it('never takes the owner role from the last owner', async () => {
    const response = await put('me', { roles: ['auditor'] });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { message: string }).message).toBe(
      'Cannot demote the last active owner.',
    );
    const me = await server.api('/api/v2/users/me');
    expect(((await me.json()) as { roles: string[] }).roles).toContain('owner');
    // With a second owner, the first may step down.
    expect((await put('dana', { roles: ['owner'] })).status).toBe(200);
    expect((await put('me', { roles: ['auditor'] })).status).toBe(200);
  });
});
