/**
 * `npm run bench:dashboard -- --database NAME`: the time each dashboard page takes to show its first view
 * in Chromium, against the real server on a database loaded by `npm run bench:query -- --keep` (1M
 * interceptions by default). Each page is loaded `--loads` times (default 7) by a full navigation, timed
 * from the navigation's start to the moment the page's main content is on screen (its table, cards or
 * threads, after their API answers). Prints a markdown table; `--screenshots DIR` saves one per page.
 *
 * Env: AIBRIDGE_BENCH_DATABASE_URL (the server that holds the database; default
 * postgres://postgres@127.0.0.1:5432/postgres), AIBRIDGE_CHROMIUM (default /usr/bin/chromium).
 */

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../src/config/load-config.js';
import { providerTypes } from '../../src/providers/index.js';
import { createLogger } from '../../src/server/logger.js';
import { runServer } from '../../src/server/run-server.js';
import { createApiKey } from '../../src/store/api-keys.js';
import { openStore } from '../../src/store/open-store.js';
import { createUser, findUserByUsername } from '../../src/store/users.js';

const { values: flags } = parseArgs({
  options: {
    database: { type: 'string' },
    loads: { type: 'string', default: '7' },
    screenshots: { type: 'string' },
  },
});
if (!flags.database) throw new Error('--database NAME is required (a database kept by bench:query --keep)');
const base = new URL(
  process.env.AIBRIDGE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
);
base.pathname = `/${flags.database}`;
const loads = Number(flags.loads);

const directory = mkdtempSync(join(tmpdir(), 'aibridge-bench-dashboard-'));
const store = await openStore({ databaseUrl: base.toString() });
const owner =
  (await createUser(store.db, { username: 'bench-owner', roles: ['owner'] })) ??
  (await findUserByUsername(store.db, 'bench-owner'));
if (!owner) throw new Error('no bench owner');
const key = await createApiKey(store.db, {
  userId: owner.id,
  tokenName: `dash-${Date.now()}`,
  expiresAt: null,
});
if (!key) throw new Error('could not create a token');
const longest = await sql<{ session_key: string }>`
  SELECT session_key FROM aibridge_sessions ORDER BY interceptions DESC LIMIT 1`.execute(store.db);
const config = loadConfig({
  flags: { listen: '127.0.0.1:0', data_dir: directory, log_level: 'silent', retention: '0' },
  env: {},
  providerTypes,
});
const server = await runServer({ config, logger: createLogger({ level: 'silent' }), store });
const browser = await chromium.launch({
  executablePath: process.env.AIBRIDGE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
await page.goto(server.url);
await page.getByLabel('Token').fill(key.key);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('heading', { name: 'Overview' }).waitFor();

const pages = [
  { name: 'Overview (24 h)', path: '/', ready: '.chart canvas' },
  { name: 'Overview (90 days, by user)', path: '/?range=90d&group_by=user', ready: '.chart canvas' },
  { name: 'Sessions', path: '/sessions', ready: '[data-testid="sessions-table"]' },
  {
    name: 'Sessions, filtered by model',
    path: '/sessions?model=claude-opus-4',
    ready: '[data-testid="sessions-table"]',
  },
  {
    name: 'Session page (longest session)',
    path: `/sessions/${encodeURIComponent(longest.rows[0]?.session_key ?? '')}`,
    ready: '[data-thread]',
  },
  { name: 'Request log', path: '/requests', ready: '[data-testid="requests-table"]' },
  { name: 'Users and tokens', path: '/admin', ready: '[data-testid="users-table"]' },
];
const rows: string[] = [];
for (const target of pages) {
  const times: number[] = [];
  for (let index = 0; index <= loads; index += 1) {
    const started = performance.now();
    await page.goto(`${server.url}${target.path}`);
    await page.locator(target.ready).first().waitFor();
    // The first load warms the server's and the browser's caches and is not counted.
    if (index > 0) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  const max = times.at(-1) ?? 0;
  rows.push(`| ${target.name} | ${median.toFixed(0)} | ${max.toFixed(0)} |`);
  if (flags.screenshots) {
    mkdirSync(flags.screenshots, { recursive: true });
    const file = target.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/-$/, '');
    await page.screenshot({ path: join(flags.screenshots, `${file}.png`) });
  }
}
process.stdout.write(`| page | median ms | max ms |\n| --- | ---: | ---: |\n${rows.join('\n')}\n`);
await browser.close();
await server.close();
await store.close();
rmSync(directory, { recursive: true, force: true });
