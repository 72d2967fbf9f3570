import { afterAll, beforeAll, expect, it } from 'vitest';
import { usersCommand } from '../src/cli/commands/users.js';
import { recoverOwnerToken } from '../src/server/recover-owner.js';
import { findUserByUsername } from '../src/store/users.js';
import { describeEachDatabase } from './support/databases.js';
import { recordInterceptions } from './support/record-fixtures.js';
import { runCommand } from './support/run-command.js';
import { startTestServer, type TestServer } from './support/server.js';

describeEachDatabase('suspending, deleting and changing the role of users', (getStore) => {
  let server: TestServer;
  const asOwner = () => ['--url', server.url, '--token', server.adminToken];
  const me = (token: string) => server.api('/api/v2/users/me', { token });

  beforeAll(async () => {
    server = await startTestServer({ store: getStore() });
  });
  afterAll(() => server?.close());

  it('stops a suspended user’s tokens at once and lets them back in on activation (CLI)', async () => {
    const dana = await server.createUser('dana');
    expect((await me(dana.token)).status).toBe(200); // now cached by the authenticator
    const suspended = await runCommand(usersCommand(), ['suspend', 'dana', ...asOwner()]);
    expect(suspended.stdout).toBe('Suspended dana.\n');
    const refused = await me(dana.token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      message: 'Your account is suspended; ask an owner to activate it.',
    });
    const proxy = await fetch(`${server.url}/api/v2/aibridge/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dana.token}`, 'content-type': 'application/json' },
      body: '{"model":"gpt-4.1","messages":[]}',
    });
    expect(proxy.status).toBe(401);
    const listed = await runCommand(usersCommand(), ['list', ...asOwner(), '--output', 'json']);
    expect(JSON.parse(listed.stdout)).toContainEqual(
      expect.objectContaining({ username: 'dana', status: 'suspended' }),
    );
    await runCommand(usersCommand(), ['activate', 'dana', ...asOwner()]);
    expect((await me(dana.token)).status).toBe(200);
  });

  it('changes roles with set-role, effective on the next request', async () => {
    const erin = await server.createUser('erin');
    expect((await server.api('/api/v2/users', { token: erin.token })).status).toBe(403);
    const promoted = await runCommand(usersCommand(), ['set-role', 'erin', 'auditor', ...asOwner()]);
    expect(promoted.stdout).toBe('erin is now auditor.\n');
    expect((await server.api('/api/v2/users', { token: erin.token })).status).toBe(200);
    await runCommand(usersCommand(), ['set-role', 'erin', 'member', ...asOwner()]);
    expect((await server.api('/api/v2/users', { token: erin.token })).status).toBe(403);
    const bad = await server.api('/api/v2/users/erin/roles', { method: 'PUT', body: { roles: ['emperor'] } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ validations: [{ field: 'roles' }] });
  });

  it('deletes a user: tokens stop, the name is free again, and their interceptions stay readable', async () => {
    const fred = await server.createUser('fred');
    const [recorded] = await recordInterceptions(getStore(), [
      { initiatorId: fred.id, startedAt: new Date('2025-05-01T10:00:00Z'), prompt: 'hello from fred' },
    ]);
    expect((await me(fred.token)).status).toBe(200);
    const deleted = await runCommand(usersCommand(), ['delete', 'fred', ...asOwner()]);
    expect(deleted.stdout).toBe('Deleted fred.\n');
    expect((await me(fred.token)).status).toBe(401);
    expect((await server.api('/api/v2/users/fred')).status).toBe(404);
    const list = await runCommand(usersCommand(), ['list', ...asOwner(), '--output', 'json']);
    expect(JSON.parse(list.stdout).map((user: { username: string }) => user.username)).not.toContain('fred');
    const kept = await server.api(`/api/v2/aibridge/interceptions/${recorded}`);
    expect(kept.status).toBe(200);
    expect(await kept.json()).toMatchObject({ initiator: { id: fred.id, username: 'fred' } });
    const byName = await server.api('/api/v2/aibridge/interceptions?q=initiator:fred');
    expect(await byName.json()).toMatchObject({ count: 1, results: [{ id: recorded }] });
    const again = await server.createUser('fred');
    expect(again.id).not.toBe(fred.id);
    expect((await me(again.token)).status).toBe(200);
  });

  it('keeps at least one active owner and lets only owners change users', async () => {
    const owners = (await (await server.api('/api/v2/users')).json()) as {
      users: { id: string; roles: string[] }[];
    };
    const onlyOwner = owners.users.filter((user) => user.roles.includes('owner'));
    expect(onlyOwner).toHaveLength(1);
    const id = onlyOwner[0]?.id ?? '';
    for (const [method, path, body] of [
      ['PUT', `/api/v2/users/${id}/status/suspend`, undefined],
      ['DELETE', `/api/v2/users/${id}`, undefined],
      ['PUT', `/api/v2/users/${id}/roles`, { roles: ['auditor'] }],
    ] as const) {
      const refused = await server.api(path, { method, ...(body ? { body } : {}) });
      expect(refused.status, `${method} ${path}`).toBe(409);
    }
    const gina = await server.createUser('gina', ['auditor']);
    const forbidden = await server.api('/api/v2/users/dana/status/suspend', {
      method: 'PUT',
      token: gina.token,
    });
    expect(forbidden.status).toBe(403);
    const unknown = await server.api('/api/v2/users/dana/status/hibernate', { method: 'PUT' });
    expect(unknown.status).toBe(404);
  });

  it('recovers owner access from the database: an existing user is made an active owner with a new token', async () => {
    const hank = await server.createUser('hank');
    await server.api('/api/v2/users/hank/status/suspend', { method: 'PUT' });
    const recovered = await recoverOwnerToken(getStore().db, { username: 'hank' });
    expect(recovered).toMatchObject({ username: 'hank', created: false });
    expect(await findUserByUsername(getStore().db, 'hank')).toMatchObject({
      status: 'active',
      roles: ['owner'],
    });
    const response = await me(recovered?.token ?? '');
    expect(await response.json()).toMatchObject({ id: hank.id, roles: ['owner'], status: 'active' });
    expect(await recoverOwnerToken(getStore().db, { username: 'not a name' })).toBeNull();
  });
});
