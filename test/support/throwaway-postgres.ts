/**
 * A PostgreSQL cluster of the test's own on a free port, to stop and start at will (outage tests must
 * never touch the shared server). Runs as the `postgres` OS user when the tests run as root.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes.js';

const run = promisify(execFile);
const binaries = process.env.AIBRIDGE_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A running throw-away cluster. */
export interface ThrowawayPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster and removes its files. */
  remove(): Promise<void>;
}

/** Creates and starts a cluster (trust authentication, loopback only). */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const directory = mkdtempSync(join(tmpdir(), 'aibridge-pg-'));
  const asRoot = userInfo().uid === 0;
  const command = async (binary: string, args: string[]) => {
    const path = join(binaries, binary);
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', path, ...args]);
    else await run(path, args);
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(directory, Number(stdout.trim()), Number(group.trim()));
  }
  const data = join(directory, 'data');
  const port = await freePort();
  await command('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () =>
    command('pg_ctl', ['-D', data, '-o', options, '-w', '-l', join(directory, 'log'), 'start']);
  const stop = () => command('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    remove: async () => {
      await stop().catch(() => {});
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
