import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { FakeProvider } from '../fake-provider/fake-provider.js';
import { type ServerProcess, startServerProcess } from '../support/processes.js';
import { type LoadResult, startProxyLoad } from './proxy-load.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';

describe('database faults under proxy load, through the aibridge server process [throw-away PostgreSQL]', () => {
  let cluster: ThrowawayPostgres;
  let fake: FakeProvider;
  let directory: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    fake = await FakeProvider.start();
    fake.recordExchanges = false;
    // Streams stay open a little while, so connections die while interceptions are in flight.
    fake.streamDelayMs = 5;
    directory = mkdtempSync(join(tmpdir(), 'aibridge-faults-'));
  });
  afterEach(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    server = undefined;
  });
  afterAll(async () => {
    await fake?.close();
    await cluster?.dispose();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  const start = async (extra: string[] = []) => {
    const tokenFile = join(directory, 'admin-token');
    server = await startServerProcess([
      ...extra,
      '--data-dir',
      directory,
      '--admin-token-file',
      tokenFile,
      '--database-url',
      cluster.url,
      '--openai-base-url',
      `${fake.url}/v1`,
      '--openai-key',
      'sk-central-openai',
      '--log-level',
      'warn',
    ]);
    // Written at the first start; later starts on the same database reuse it.
    return { server, token: readFileSync(tokenFile, 'utf8').trim() };
  };
  const api = (url: string, path: string, token: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        'coder-session-token': token,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  /** The interceptions of `results` as stored, read straight from the database. */
  const storedRows = async (results: readonly LoadResult[]) => {
    const ids = results.flatMap((result) => (result.interceptionId ? [result.interceptionId] : []));
    const store = await openStore({ databaseUrl: cluster.url });
    try {
      return await store.db
        .selectFrom('aibridge_interceptions')
        .select(['id', 'ended_at', 'error'])
        .where('id', 'in', ids)
        .execute();
    } finally {
      await store.close();
    }
  };
  const statusCounts = (results: readonly LoadResult[]) => {
    const counts: Record<number, number> = {};
    for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
    return counts;
  };

  it('retries a read whose connection is killed under it on a fresh one, and never a write', async () => {
    const store = await openStore({ databaseUrl: cluster.url, poolSize: 2 });
    try {
      /** Runs `statement` and kills its backend while it runs. */
      const killedWhileRunning = async (statement: Promise<unknown>, marker: string) => {
        const settled = statement.then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        for (;;) {
          const { rows } = await sql<{ pid: number }>`
            SELECT pid FROM pg_stat_activity
            WHERE state = 'active' AND query LIKE ${`%${marker}%`} AND pid <> pg_backend_pid()`.execute(
            store.db,
          );
          if (rows[0]) {
            await sql`SELECT pg_terminate_backend(${rows[0].pid})`.execute(store.db);
            break;
          }
        }
        return settled;
      };
      const read = await killedWhileRunning(
        sql<{ answer: number }>`SELECT 42 AS answer, 'read-marker' AS marker, pg_sleep(0.5)`.execute(
          store.db,
        ),
        'read-marker',
      );
      expect(read).toMatchObject({ value: { rows: [{ answer: 42 }] } });
      await sql`CREATE TABLE IF NOT EXISTS retry_probe (note text)`.execute(store.db);
      const write = await killedWhileRunning(
        sql`INSERT INTO retry_probe SELECT 'write-marker' FROM pg_sleep(0.5)`.execute(store.db),
        'write-marker',
      );
      expect(write).toMatchObject({ error: expect.objectContaining({ code: '57P01' }) });
      const { rows } = await sql<{ count: number }>`SELECT count(*)::int AS count FROM retry_probe`.execute(
        store.db,
      );
      expect(rows).toEqual([{ count: 0 }]);
    } finally {
      await store.close();
    }
  });

  it('stays up and loses no record while its database connections are killed', async () => {
    const { server, token } = await start();
    const load = startProxyLoad({ url: server.url, token, concurrency: 6 });
    const queryStatuses: number[] = [];
    let killed = 0;
    for (let round = 1; round <= 6; round++) {
      await load.until((results) => results.length >= round * 25);
      killed += await cluster.terminateConnections();
      queryStatuses.push((await api(server.url, '/api/v2/aibridge/interceptions?limit=5', token)).status);
    }
    const results = await load.stop();
    expect(killed).toBeGreaterThan(0);
    expect(server.child.exitCode).toBeNull();
    expect(statusCounts(results)).toEqual({ 200: results.length });
    // A read whose connection was killed is retried on a fresh one.
    expect(queryStatuses).toEqual(queryStatuses.map(() => 200));
    expect((await api(server.url, '/api/v2/aibridge/interceptions?limit=5', token)).status).toBe(200);
    // SIGTERM drains the recorder: every interception is then in the database, ended.
    expect(await server.stop()).toBe(0);
    const rows = await storedRows(results);
    expect(rows).toHaveLength(results.length);
    expect(rows.filter((row) => row.ended_at === null || row.error !== null)).toEqual([]);
    // Nothing reached the process guard: every broken connection was handled where it broke.
    expect(server.output()).not.toMatch(
      /Unhandled 'error' event|unexpected error|unhandled promise rejection/i,
    );
  }, 120_000);

  it('rides out an outage: verified tokens keep working, records wait, the query API answers 503 then 200', async () => {
    const testStart = new Date();
    const { server, token } = await start();
    // A token created but never used: it cannot be verified while the database is down.
    const created = await api(server.url, '/api/v2/users/me/keys/tokens', token, {
      method: 'POST',
      body: { token_name: `unused-${Date.now()}` },
    });
    const { key: unusedToken } = (await created.json()) as { key: string };
    const load = startProxyLoad({ url: server.url, token, concurrency: 4 });
    await load.until((results) => results.length >= 20);

    await cluster.stop();
    const stoppedAt = Date.now();
    const countAtStop = load.results.length;
    const during = await api(server.url, '/api/v2/aibridge/interceptions', token);
    expect(during.status).toBe(503);
    const body = await during.text();
    expect(JSON.parse(body)).toMatchObject({ message: expect.stringMatching(/database is unreachable/) });
    expect(body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|terminat/i);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const unverified = await fetch(`${server.url}/api/v2/aibridge/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${unusedToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(unverified.status).toBe(503);
    expect(await unverified.text()).toMatch(/database is unreachable/);
    // A 30-second outage, far past the token cache's lifetime (5 s), with requests answered all along.
    await load.until((results) => Date.now() - stoppedAt > 30_000 && results.length > countAtStop + 50);
    expect((await api(server.url, '/api/v2/users', token)).status).toBe(503);

    await cluster.start();
    expect((await api(server.url, '/api/v2/aibridge/interceptions?limit=1', token)).status).toBe(200);
    const results = await load.stop();
    expect(statusCounts(results)).toEqual({ 200: results.length });
    expect(server.child.exitCode).toBeNull();
    // The writer drains by itself once the database answers, without a shutdown.
    const query = `q=${encodeURIComponent(`started_after:${testStart.toISOString()}`)}&limit=1`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await api(server.url, `/api/v2/aibridge/interceptions?${query}`, token);
      const { count } = (await response.json()) as { count: number };
      if (count === results.length) break;
      if (Date.now() > deadline)
        throw new Error(`only ${count} of ${results.length} interceptions were written`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await server.stop()).toBe(0);
    const rows = await storedRows(results);
    expect(rows).toHaveLength(results.length);
  }, 120_000);
  it('shuts down within its grace period during an outage, and the next start writes what was left', async () => {
    const testStart = new Date();
    const first = await start(['--shutdown-grace', '500ms']);
    const load = startProxyLoad({ url: first.server.url, token: first.token, concurrency: 2 });
    await load.until((results) => results.length >= 10);
    await cluster.stop();
    const countAtStop = load.results.length;
    await load.until((results) => results.length >= countAtStop + 20);
    const results = await load.stop();
    expect(statusCounts(results)).toEqual({ 200: results.length });
    expect(await first.server.stop()).toBe(0);
    expect(first.server.output()).toMatch(/records left are in the crash journal/);

    await cluster.start();
    const second = await start();
    const query = `q=${encodeURIComponent(`started_after:${testStart.toISOString()}`)}&limit=1`;
    const response = await api(second.server.url, `/api/v2/aibridge/interceptions?${query}`, second.token);
    expect(((await response.json()) as { count: number }).count).toBe(results.length);
    expect(await storedRows(results)).toHaveLength(results.length);
  }, 120_000);
});
