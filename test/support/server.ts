import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { providerTypes } from '../../src/providers/index.js';
import { createLogger } from '../../src/server/logger.js';
import { type RunningServer, runServer } from '../../src/server/run-server.js';
import type { Store } from '../../src/store/open-store.js';
import type { ElevatedRole } from '../../src/store/users.js';

/** A server on a loopback port over a test store, with the owner's token. */
export interface TestServer extends RunningServer {
  adminToken: string;
  /** Creates a user through the API and returns it with a fresh token. */
  createUser(
    username: string,
    roles?: ElevatedRole[],
  ): Promise<{ id: string; username: string; token: string }>;
  /** fetch against the server with a token. */
  api(path: string, init?: { method?: string; token?: string | null; body?: unknown }): Promise<Response>;
}

/** The servers running over each store, so a test can wait for what they queued to be written. */
const running = new WeakMap<Store, Set<RunningServer>>();

/**
 * Resolves once every server running over `store` has written every interception it let in so far: a
 * request whose response ended was let in before, so its record is in the store afterwards.
 */
export async function drainServersOf(store: Store): Promise<void> {
  await Promise.all([...(running.get(store) ?? [])].map((server) => server.context.recorder.drain()));
}

/** Starts a server on `store` (owned by the caller) with test defaults and the given config changes. */
export async function startTestServer(input: {
  store: Store;
  config?: Partial<Config>;
  /** A logger of the test's own (e.g. writing to a buffer); default: as `config.logLevel` says. */
  logger?: Logger;
  /** Where the server's JSON log lines go (at the config's level); nowhere when absent. */
  logDestination?: NodeJS.WritableStream;
}): Promise<TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-server-'));
  const config: Config = {
    ...loadConfig({
      providerTypes,
      flags: { listen: '127.0.0.1:0', data_dir: directory, log_level: 'silent' },
      env: {},
    }),
    shutdownGraceMs: 5000,
    ...input.config,
  };
  const logger =
    input.logger ??
    createLogger({
      level: config.logLevel,
      format: 'json',
      ...(input.logDestination === undefined ? {} : { destination: input.logDestination }),
    });
  const server = await runServer({ config, logger, store: input.store });
  const servers = running.get(input.store) ?? new Set<RunningServer>();
  running.set(input.store, servers);
  servers.add(server);
  let adminToken = server.adminToken;
  if (!adminToken) {
    // The store already had users (another server of the same file created the owner): make a new owner.
    const { createUser } = await import('../../src/store/users.js');
    const { createApiKey } = await import('../../src/store/api-keys.js');
    const owner = await createUser(input.store.db, {
      username: `owner-${Date.now().toString(36)}`,
      roles: ['owner'],
    });
    const created =
      owner && (await createApiKey(input.store.db, { userId: owner.id, tokenName: 'test', expiresAt: null }));
    if (!created) throw new Error('could not create a test owner');
    adminToken = created.key;
  }
  const ownerToken = adminToken;
  const api: TestServer['api'] = (path, init = {}) => {
    const token = init.token === undefined ? ownerToken : init.token;
    return fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(token ? { 'coder-session-token': token } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  };
  const createUser: TestServer['createUser'] = async (username, roles = []) => {
    const created = await api('/api/v2/users', { method: 'POST', body: { username, roles } });
    if (created.status !== 201)
      throw new Error(`create user ${username}: ${created.status} ${await created.text()}`);
    const user = (await created.json()) as { id: string; username: string };
    const tokenResponse = await api(`/api/v2/users/${user.id}/keys/tokens`, { method: 'POST', body: {} });
    const { key } = (await tokenResponse.json()) as { key: string };
    return { id: user.id, username: user.username, token: key };
  };
  return {
    ...server,
    adminToken: ownerToken,
    api,
    createUser,
    close: async () => {
      await server.close();
      servers.delete(server);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
