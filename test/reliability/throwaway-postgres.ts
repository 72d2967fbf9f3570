/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl on a free port, run as the `postgres` OS user
 * when the test runs as root), so a test can stop and start the database under load without touching the
 * shared server. Fails loudly when the binaries are missing.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../support/processes.js';

const run = promisify(execFile);
const binaries = process.env.AIBRIDGE_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A running throw-away cluster. */
export interface ThrowawayPostgres {
  /** URL of its `aibridge` database. */
  url: string;
  /** Stops the server (fast shutdown: open connections are cut, as in an outage). */
  stop(): Promise<void>;
  /** Starts it again and resolves once it accepts connections. */
  start(): Promise<void>;
  /** Ends every backend connected to the `aibridge` database; resolves with how many. */
  terminateConnections(): Promise<number>;
  /** Stops it and deletes its files. */
  dispose(): Promise<void>;
}

async function asPostgres(command: string, args: string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  await (asRoot
    ? run('runuser', ['-u', 'postgres', '--', join(binaries, command), ...args])
    : run(join(binaries, command), args));
}

/** Creates, starts and returns a cluster with an empty `aibridge` database. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  if (!existsSync(join(binaries, 'initdb'))) {
    throw new Error(`PostgreSQL binaries not found in ${binaries} (set AIBRIDGE_TEST_PG_BIN)`);
  }
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(directory, Number(stdout.trim()), Number(group.trim()));
  }
  const data = join(directory, 'data');
  const port = await freePort();
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const start = () =>
    asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(directory, 'log'), '-w', 'start']);
  const stop = () => asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  await start();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE aibridge');
  await admin.end();
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/aibridge`,
    stop: async () => {
      await stop();
      running = false;
    },
    start: async () => {
      await start();
      running = true;
    },
    terminateConnections: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        const result = await client.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'aibridge' AND pid <> pg_backend_pid()",
        );
        return result.rowCount ?? 0;
      } finally {
        await client.end();
      }
    },
    dispose: async () => {
      if (running) await stop().catch(() => {});
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
