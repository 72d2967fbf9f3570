import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey } from '../src/store/api-keys.js';
import { describeEachDatabase } from './support/databases.js';
import { startTestServer, type TestServer } from './support/server.js';

describeEachDatabase('management API', (getStore) => {
  let server: TestServer;
  let member: { id: string; username: string; token: string };
  let other: { id: string; username: string; token: string };
  let auditor: { id: string; username: string; token: string };

  beforeAll(async () => {
    server = await startTestServer({ store: getStore() });
    member = await server.createUser('member-one');
    other = await server.createUser('member-two');
    auditor = await server.createUser('auditor-one', ['auditor']);
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers health and build info without a token', async () => {
    const health = await server.api('/healthz', { token: null });
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK');
    const build = await server.api('/api/v2/buildinfo', { token: null });
    expect(await build.json()).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('creates the owner admin on first start, whose token reads itself', async () => {
    const response = await server.api('/api/v2/users/me');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ username: 'admin', roles: ['owner'] });
  });

  it('gives a member a working token that answers /users/me as the member', async () => {
    const response = await server.api('/api/v2/users/me', { token: member.token });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: member.id, username: 'member-one', roles: [] });
  });

  it('accepts the token as Authorization: Bearer too', async () => {
    const response = await fetch(`${server.url}/api/v2/users/me`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    expect(response.status).toBe(200);
  });

  it('refuses a request without a token with 401', async () => {
    const response = await server.api('/api/v2/users/me', { token: null });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'You must be authenticated to use this endpoint.' });
  });

  it('refuses a malformed token with 401', async () => {
    const response = await server.api('/api/v2/users/me', { token: 'not-a-token' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      message: 'Invalid API token format.',
      detail: 'A token has the form <id>-<secret>.',
    });
  });

  it('refuses a token whose secret is wrong with 401', async () => {
    const forged = `${member.token.slice(0, 11)}${'x'.repeat(22)}`;
    const response = await server.api('/api/v2/users/me', { token: forged });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'API token is invalid.' });
  });

  it('refuses an expired token with 401 and says when it expired', async () => {
    const expiresAt = new Date(Date.now() - 1000);
    const created = await createApiKey(getStore().db, { userId: member.id, tokenName: 'expired', expiresAt });
    const response = await server.api('/api/v2/users/me', { token: created?.key ?? '' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      message: 'API token has expired.',
      detail: `The token expired at ${expiresAt.toISOString()}.`,
    });
  });

  it('refuses a deleted token', async () => {
    const created = await server.api('/api/v2/users/me/keys/tokens', {
      method: 'POST',
      token: member.token,
      body: { token_name: 'short-lived' },
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    expect((await server.api('/api/v2/users/me', { token: key })).status).toBe(200);
    const id = key.split('-')[0];
    const deleted = await server.api(`/api/v2/users/me/keys/${id}`, {
      method: 'DELETE',
      token: member.token,
    });
    expect(deleted.status).toBe(204);
    const after = await server.api('/api/v2/users/me', { token: key });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ message: 'API token is invalid.' });
  });

  it('creates a token with a lifetime and lists it without its secret', async () => {
    const before = Date.now();
    const created = await server.api(`/api/v2/users/${member.username}/keys/tokens`, {
      method: 'POST',
      token: member.token,
      body: { token_name: 'ci', lifetime: '1h' },
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    expect(key).toMatch(/^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$/);
    const list = (await (
      await server.api('/api/v2/users/me/keys/tokens', { token: member.token })
    ).json()) as Array<Record<string, unknown>>;
    const entry = list.find((token) => token.token_name === 'ci');
    expect(entry).toMatchObject({ id: key.slice(0, 10), user_id: member.id });
    const expiresAt = Date.parse(String(entry?.expires_at));
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    expect(JSON.stringify(list)).not.toContain(key.slice(11));
  });

  it('rejects a bad token lifetime and name with 400 validations and creates nothing', async () => {
    const response = await server.api('/api/v2/users/me/keys/tokens', {
      method: 'POST',
      token: member.token,
      body: { token_name: 'bad name!', lifetime: 'soon', extra: 1 },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: 'Invalid token request.',
      validations: [
        { field: 'extra', detail: 'unknown field' },
        {
          field: 'token_name',
          detail:
            'must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
        },
        {
          field: 'lifetime',
          detail: 'must be a positive duration of at most 10 years, such as "30d" or "12h", or nanoseconds',
        },
      ],
    });
    const list = (await (
      await server.api('/api/v2/users/me/keys/tokens', { token: member.token })
    ).json()) as unknown[];
    expect(JSON.stringify(list)).not.toContain('bad name');
  });

  it('forbids a member to create users with 403', async () => {
    const response = await server.api('/api/v2/users', {
      method: 'POST',
      token: member.token,
      body: { username: 'sneaky' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Only owners can do this.' });
  });

  it('forbids an auditor to create users with 403', async () => {
    const response = await server.api('/api/v2/users', {
      method: 'POST',
      token: auditor.token,
      body: { username: 'sneaky' },
    });
    expect(response.status).toBe(403);
  });

  it('lets owners and auditors list users, and forbids members', async () => {
    for (const token of [server.adminToken, auditor.token]) {
      const response = await server.api('/api/v2/users', { token });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { users: Array<{ username: string }>; count: number };
      expect(body.users.map((user) => user.username)).toEqual(
        expect.arrayContaining(['admin', 'member-one', 'member-two', 'auditor-one']),
      );
      expect(body.count).toBe(body.users.length);
    }
    const forbidden = await server.api('/api/v2/users', { token: member.token });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ message: 'Only owners and auditors can list users.' });
  });

  it('hides another user from a member with 404, and shows them to an auditor', async () => {
    const hidden = await server.api(`/api/v2/users/${other.id}`, { token: member.token });
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toEqual({ message: 'User not found.' });
    const shown = await server.api(`/api/v2/users/${other.username.toUpperCase()}`, { token: auditor.token });
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({ id: other.id });
  });

  it("forbids a member to manage another user's tokens", async () => {
    const response = await server.api(`/api/v2/users/${other.id}/keys/tokens`, {
      method: 'POST',
      token: member.token,
      body: {},
    });
    expect(response.status).toBe(404);
    const byAuditor = await server.api(`/api/v2/users/${other.id}/keys/tokens`, {
      method: 'POST',
      token: auditor.token,
      body: {},
    });
    expect(byAuditor.status).toBe(403);
    expect(await byAuditor.json()).toEqual({ message: "Only owners can manage another user's tokens." });
    const listed = await server.api(`/api/v2/users/${other.id}/keys/tokens`, { token: auditor.token });
    expect(listed.status).toBe(200);
  });

  it('lets the owner create a token for another user', async () => {
    const response = await server.api(`/api/v2/users/${other.id}/keys/tokens`, { method: 'POST', body: {} });
    expect(response.status).toBe(201);
    const { key } = (await response.json()) as { key: string };
    const me = await server.api('/api/v2/users/me', { token: key });
    expect(await me.json()).toMatchObject({ id: other.id });
  });

  it('rejects an invalid new user with every problem at once', async () => {
    const response = await server.api('/api/v2/users', {
      method: 'POST',
      body: { username: 'bad name', email: 'nope', roles: ['king'], avatar_url: 'ftp://x' },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: 'Invalid user.',
      validations: [
        { field: 'username', detail: 'must be 1-32 letters or digits, in words joined by single dashes' },
        { field: 'email', detail: 'is not an email address' },
        { field: 'avatar_url', detail: 'must be an http(s) URL' },
        { field: 'roles', detail: 'must be a list of "owner" and "auditor"' },
      ],
    });
  });

  it('rejects a taken username case-insensitively with 409', async () => {
    const response = await server.api('/api/v2/users', { method: 'POST', body: { username: 'MEMBER-ONE' } });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      message: 'A user named "MEMBER-ONE" already exists.',
      validations: [{ field: 'username', detail: 'is taken' }],
    });
  });

  it('answers malformed JSON with 400', async () => {
    const response = await fetch(`${server.url}/api/v2/users`, {
      method: 'POST',
      headers: { 'coder-session-token': server.adminToken, 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: 'Request body is not valid JSON.' });
  });

  it('answers an unknown route with 404 in the API error shape', async () => {
    const response = await server.api('/api/v2/nothing-here');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Route GET /api/v2/nothing-here not found.' });
  });
});
