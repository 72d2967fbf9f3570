import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface SignedIn {
  cookie: string;
  secret: string;
  csrf: string;
  setCookie: string;
  body: { user: { username: string }; csrf_token: string; expires_at: string };
}

describeEachDatabase('dashboard sign-in with a session cookie', (getStore) => {
  let server: TestServer;
  let second: TestServer;
  let member: { id: string; username: string; token: string };

  const request = (
    target: TestServer,
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
  ) =>
    fetch(`${target.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  const signIn = async (token: string, headers: Record<string, string> = {}): Promise<SignedIn> => {
    const response = await request(server, '/api/v2/web-session', {
      method: 'POST',
      body: { token },
      headers,
    });
    expect(response.status).toBe(201);
    const setCookie = response.headers.get('set-cookie') ?? '';
    const cookie = setCookie.split(';')[0] ?? '';
    const body = (await response.json()) as SignedIn['body'];
    return { cookie, secret: cookie.split('=')[1] ?? '', csrf: body.csrf_token, setCookie, body };
  };

  beforeAll(async () => {
    server = await startTestServer({ store: getStore() });
    // A second server on the same database: sessions live in the database, not in a process.
    second = await startTestServer({ store: getStore() });
    member = await server.createUser('member');
  });
  afterAll(async () => {
    await second.close();
    await server.close();
  });

  it('exchanges a token for an HttpOnly, SameSite=Strict session cookie that the API accepts', async () => {
    const session = await signIn(member.token);
    expect(session.body.user.username).toBe('member');
    expect(session.setCookie).toMatch(
      /^aibridge_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    const me = await request(server, '/api/v2/users/me', { headers: { cookie: session.cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('member');
    const onSecond = await request(second, '/api/v2/web-session', { headers: { cookie: session.cookie } });
    expect(onSecond.status).toBe(200);
    expect(((await onSecond.json()) as { csrf_token: string }).csrf_token).toBe(session.csrf);
  });

  it('marks the cookie Secure when the request came over HTTPS', async () => {
    const session = await signIn(member.token, { 'x-forwarded-proto': 'https' });
    expect(session.setCookie).toMatch(/; Secure$/);
  });

  it('stores only a hash of the cookie secret', async () => {
    const session = await signIn(member.token);
    const rows = await sql<{ secret_hash: Buffer }>`SELECT secret_hash FROM web_sessions`.execute(
      getStore().db,
    );
    expect(rows.rows.length).toBeGreaterThan(0);
    for (const row of rows.rows) {
      expect(row.secret_hash.toString('utf8')).not.toContain(session.secret);
      expect(row.secret_hash.toString('base64url')).not.toBe(session.secret);
    }
  });

  it('refuses a wrong token without setting a cookie', async () => {
    const response = await request(server, '/api/v2/web-session', {
      method: 'POST',
      body: { token: 'AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    const empty = await request(server, '/api/v2/web-session', { method: 'POST', body: {} });
    expect(empty.status).toBe(400);
  });

  it('refuses every sign-in from an address after five wrong tokens in a minute, with Retry-After', async () => {
    // A server of its own, so the other tests' sign-ins from this address do not count.
    const limited = await startTestServer({ store: getStore() });
    try {
      const attempt = (token: string) =>
        request(limited, '/api/v2/web-session', { method: 'POST', body: { token } });
      for (let failure = 1; failure <= 5; failure += 1) {
        expect((await attempt(`AAAAAAAAAA-${'B'.repeat(21)}${failure}`)).status).toBe(401);
      }
      const refused = await attempt('AAAAAAAAAA-BBBBBBBBBBBBBBBBBBBBBB');
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await refused.json()) as { message: string };
      expect(body.message).toBe(`Too many failed sign-ins from your address. Try again in ${retryAfter} s.`);
      expect(refused.headers.get('set-cookie')).toBeNull();
      // A right token is refused too while the address waits, so guessing cannot go on in between.
      const right = await attempt(member.token);
      expect(right.status).toBe(429);
      expect(right.headers.get('set-cookie')).toBeNull();
      // Tokens still work everywhere else: the limit is on the sign-in form only.
      const me = await request(limited, '/api/v2/users/me', {
        headers: { 'coder-session-token': member.token },
      });
      expect(me.status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('refuses a sign-in posted from another site', async () => {
    const response = await request(server, '/api/v2/web-session', {
      method: 'POST',
      body: { token: member.token },
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('needs the CSRF token and a same-site origin before a cookie request changes anything', async () => {
    const session = await signIn(member.token);
    const tokens = async () => {
      const response = await request(server, '/api/v2/users/me/keys/tokens', {
        headers: { cookie: session.cookie },
      });
      return ((await response.json()) as { token_name: string }[]).map((token) => token.token_name);
    };
    const before = await tokens();
    const create = (headers: Record<string, string>) =>
      request(server, '/api/v2/users/me/keys/tokens', {
        method: 'POST',
        body: { token_name: `t-${Object.keys(headers).length}-${Date.now()}` },
        headers: { cookie: session.cookie, ...headers },
      });
    expect((await create({})).status).toBe(403);
    expect((await create({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    const origin = new URL(server.url).origin;
    expect((await create({ 'x-csrf-token': session.csrf, origin: 'https://evil.example' })).status).toBe(403);
    expect(await tokens()).toEqual(before);
    const created = await create({ 'x-csrf-token': session.csrf, origin });
    expect(created.status).toBe(201);
    expect((await tokens()).length).toBe(before.length + 1);
  });

  it('leaves token-authenticated requests as they were', async () => {
    const response = await request(server, '/api/v2/users/me/keys/tokens', {
      method: 'POST',
      body: { token_name: `script-${Date.now()}` },
      headers: { 'coder-session-token': member.token, origin: 'https://elsewhere.example' },
    });
    expect(response.status).toBe(201);
  });

  it('shows a member only their own records through the cookie', async () => {
    const session = await signIn(member.token);
    const users = await request(server, '/api/v2/users', { headers: { cookie: session.cookie } });
    expect(users.status).toBe(403);
    const sessions = await request(server, '/api/v2/aibridge/sessions?q=initiator%3Aadmin', {
      headers: { cookie: session.cookie },
    });
    expect(sessions.status).toBe(400);
  });

  it('ends the session on sign-out, on every server', async () => {
    const session = await signIn(member.token);
    const withoutCsrf = await request(server, '/api/v2/web-session', {
      method: 'DELETE',
      headers: { cookie: session.cookie },
    });
    expect(withoutCsrf.status).toBe(403);
    const signOut = await request(second, '/api/v2/web-session', {
      method: 'DELETE',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    expect(signOut.status).toBe(204);
    expect(signOut.headers.get('set-cookie')).toMatch(
      /^aibridge_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/,
    );
    const after = await request(server, '/api/v2/users/me', { headers: { cookie: session.cookie } });
    expect(after.status).toBe(401);
  });

  it('ends the session when the token it was opened with is deleted', async () => {
    const own = await server.api(`/api/v2/users/${member.id}/keys/tokens`, {
      method: 'POST',
      body: { token_name: `short-${Date.now()}` },
    });
    const { key } = (await own.json()) as { key: string };
    const session = await signIn(key);
    expect((await request(server, '/api/v2/users/me', { headers: { cookie: session.cookie } })).status).toBe(
      200,
    );
    const deleted = await server.api(`/api/v2/users/${member.id}/keys/${key.split('-')[0]}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect((await request(server, '/api/v2/users/me', { headers: { cookie: session.cookie } })).status).toBe(
      401,
    );
  });

  it('does not let the proxy accept the cookie', async () => {
    const session = await signIn(member.token);
    const response = await request(server, '/api/v2/aibridge/openai/v1/chat/completions', {
      method: 'POST',
      body: { model: 'gpt-5', messages: [] },
      headers: { cookie: session.cookie },
    });
    expect(response.status).toBe(401);
  });
});
