/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core): real traffic through the
 * proxy, then the owner and a member sign in and walk every page; what each page shows is checked against
 * the records as the API returns them. Screenshots of every page go to test-artifacts/dashboard/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/open-store.js';
import { type ProxyHarness, startProxyHarness } from '../proxy/harness.js';
import { openTestStore } from '../support/databases.js';
import {
  claudeSession,
  codexSession,
  codexTurns,
  firstPrompt,
  longPrompt,
  recordTraffic,
} from './record-traffic.js';

const chromiumPath = process.env.AIBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
const artifacts = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');

interface SessionJson {
  id: string;
  threads: number;
  errors: number;
  initiator: { username: string };
  client: string;
  models: string[];
}
interface ThreadsJson {
  threads: {
    id: string;
    prompt: string | null;
    agentic_actions: { thinking: { text: string }[]; tool_calls: { tool: string; input: string }[] }[];
  }[];
}
interface InterceptionJson {
  id: string;
  initiator: { username: string };
  token_usages: { provider_response_id: string }[];
}

describe('the dashboard in Chromium', () => {
  let opened: Awaited<ReturnType<typeof openTestStore>>;
  let store: Store;
  let harness: ProxyHarness;
  let bob: { id: string; username: string; token: string };
  let browser: Browser;
  let ownerContext: BrowserContext;
  let memberContext: BrowserContext;

  const apiJson = async <T>(path: string, token?: string): Promise<T> => {
    const response = await harness.server.api(path, token === undefined ? {} : { token });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const shot = async (page: Page, name: string) => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`Chromium is missing at ${chromiumPath}: install it with apt-get install -y chromium.`);
    }
    mkdirSync(artifacts, { recursive: true });
    opened = await openTestStore('pglite');
    store = opened.store;
    harness = await startProxyHarness(store);
    bob = await harness.server.createUser('bob');
    await recordTraffic(harness, bob);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    ownerContext = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1400, height: 900 },
    });
    memberContext = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1400, height: 900 },
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await opened?.dispose();
  });

  const signIn = async (context: BrowserContext, token: string): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(harness.server.url);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    return page;
  };
  const text = async (locator: Locator) => (await locator.textContent()) ?? '';
  const stat = (page: Page, label: string) => text(page.locator(`[data-stat="${label}"] .stat-value`));
  /**
   * Nothing is cut at the window's width: the page does not scroll sideways, and the table fits its frame
   * (every column, the last included, is in view without scrolling it).
   */
  const expectFits = async (page: Page, testId: string) => {
    const widths = await page.locator(`[data-testid="${testId}"]`).evaluate((table) => {
      const frame = table.parentElement!;
      return {
        page: table.ownerDocument.scrollingElement!.scrollWidth,
        window: table.ownerDocument.defaultView!.innerWidth,
        table: frame.scrollWidth,
        frame: frame.clientWidth,
        lastColumnRight: table.querySelector('thead th:last-child')!.getBoundingClientRect().right,
        frameRight: frame.getBoundingClientRect().right,
      };
    });
    expect(widths.page).toBeLessThanOrEqual(widths.window);
    expect(widths.table).toBeLessThanOrEqual(widths.frame);
    expect(widths.lastColumnRight).toBeLessThanOrEqual(widths.frameRight);
  };
  const rowsOf = (page: Page, testId: string, attribute: string) =>
    page
      .locator(`[data-testid="${testId}"] tbody tr`)
      .evaluateAll((rows, name) => rows.map((row) => row.getAttribute(name) ?? ''), attribute);

  it('walks every page as the owner: overview, sessions, a session, the request log, export, users and tokens, sign-out', async () => {
    const sessions = await apiJson<{ count: number; sessions: SessionJson[] }>('/api/v2/aibridge/sessions');
    const interceptions = await apiJson<{ count: number; results: InterceptionJson[] }>(
      '/api/v2/aibridge/interceptions',
    );
    expect(interceptions.count).toBe(5 + codexTurns);

    // Overview: the totals are the records'.
    const page = await signIn(ownerContext, harness.server.adminToken);
    await page.locator('[data-testid="totals"]').waitFor();
    expect(await stat(page, 'Requests')).toBe(String(interceptions.count));
    expect(await stat(page, 'Sessions')).toBe(String(sessions.count));
    expect(await stat(page, 'Active users')).toBe('2');
    const topUsers = await page
      .locator('[data-testid="top-users"] tbody .user-cell > span:last-child')
      .allTextContents();
    expect(topUsers.sort()).toEqual([harness.member.username, 'bob'].sort());
    const topClients = await page
      .locator('[data-testid="top-clients"] tbody td:first-child')
      .allTextContents();
    expect(topClients.sort()).toEqual(['Claude Code', 'Codex', 'Unknown']);
    await page.locator('.chart canvas').first().waitFor();
    // The chart's data, as its table shows it, adds up to the tokens the usage endpoint sums.
    const usage = await apiJson<{ totals: { input_tokens: number; output_tokens: number } }>(
      '/api/v2/aibridge/usage?interval=hour&group_by=model',
    );
    await page.getByText("Show the chart's data as a table").click();
    const cells = await page.locator('.chart-table tbody td').allTextContents();
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.reduce((sum, cell) => sum + Number(cell.replaceAll(',', '')), 0)).toBe(
      usage.totals.input_tokens + usage.totals.output_tokens,
    );
    await page.getByText("Show the chart's data as a table").click();
    await shot(page, '1-overview-owner');

    // Sessions: every session, then filtered by client and by model through the URL-backed filters.
    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    await page.locator('[data-testid="sessions-table"]').waitFor();
    expect((await rowsOf(page, 'sessions-table', 'data-session')).sort()).toEqual(
      sessions.sessions.map((s) => s.id).sort(),
    );
    // At 1400 px every column fits, the 10,000-character prompt included.
    await expectFits(page, 'sessions-table');
    // Narrower, the table scrolls in its frame (never the page), and its first column stays in view.
    await page.setViewportSize({ width: 1000, height: 900 });
    const narrow = await page.locator('[data-testid="sessions-table"]').evaluate((table) => {
      const frame = table.parentElement!;
      frame.scrollLeft = frame.scrollWidth;
      const first = table.querySelector('tbody td:first-child')!.getBoundingClientRect();
      return {
        page: table.ownerDocument.scrollingElement!.scrollWidth,
        window: table.ownerDocument.defaultView!.innerWidth,
        scrolled: frame.scrollLeft,
        firstLeft: first.left,
        frameLeft: frame.getBoundingClientRect().left,
      };
    });
    expect(narrow.page).toBeLessThanOrEqual(narrow.window);
    expect(narrow.scrolled).toBeGreaterThan(0);
    expect(Math.abs(narrow.firstLeft - narrow.frameLeft)).toBeLessThanOrEqual(1);
    await shot(page, '2-sessions-narrow');
    await page.setViewportSize({ width: 1400, height: 900 });
    // The errors column shows each session's failed interceptions, as the API counts them.
    const errorCells = await page
      .locator('[data-testid="sessions-table"] tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [
          row.getAttribute('data-session'),
          row.querySelector('[data-errors]')?.textContent,
        ]),
      );
    expect(Object.fromEntries(errorCells)).toEqual(
      Object.fromEntries(sessions.sessions.map((s) => [s.id, String(s.errors)])),
    );
    expect(sessions.sessions.find((s) => s.id === claudeSession)?.errors).toBe(1);
    await page.getByRole('combobox', { name: 'Client' }).selectOption('Codex');
    await page.waitForURL(/client=Codex/);
    await expect.poll(() => rowsOf(page, 'sessions-table', 'data-session')).toEqual([codexSession]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('combobox', { name: 'Model' }).selectOption('claude-opus-4-1');
    await page.waitForURL(/model=claude-opus-4-1/);
    const byModel = sessions.sessions.filter((s) => s.models.includes('claude-opus-4-1')).map((s) => s.id);
    await expect.poll(() => rowsOf(page, 'sessions-table', 'data-session')).toEqual(byModel);
    expect(byModel).toEqual([claudeSession]);
    // The 10,000-character prompt is cut in the table, never widening it past the window.
    const tableWidth = await page
      .locator('[data-testid="sessions-table"]')
      .evaluate((table) => table.scrollWidth);
    expect(tableWidth).toBeLessThan(2000);
    await shot(page, '2-sessions-filtered');

    // A session page: threads, tool calls and thinking as recorded.
    const threads = await apiJson<ThreadsJson>(`/api/v2/aibridge/sessions/${claudeSession}`);
    await page.locator(`[data-session="${claudeSession}"] a`).first().click();
    await page.locator('[data-testid="session-summary"]').waitFor();
    expect(await text(page.locator('[data-testid="session-summary"] dd[data-errors]'))).toBe('1');
    await expect.poll(() => page.locator('[data-thread]').count()).toBe(threads.threads.length);
    expect(await text(page.locator('[data-thread]').first())).toContain(firstPrompt);
    await page.locator('[data-thread] details.loop summary').first().click();
    const action = threads.threads[0]?.agentic_actions[0];
    expect(action?.tool_calls.length).toBeGreaterThan(0);
    for (const call of action?.tool_calls ?? []) {
      expect(await page.locator(`[data-thread] [data-tool="${call.tool}"]`).count()).toBeGreaterThan(0);
    }
    const thought = action?.thinking[0]?.text ?? '';
    expect(thought).not.toBe('');
    expect(await text(page.locator('[data-thread]').first())).toContain(thought);
    // The long prompt is cut with a button to show it all.
    const longThread = page.locator('[data-thread]').filter({ hasText: '長いプロンプト' });
    await longThread.getByRole('button', { name: /Show all 10,000 characters/ }).click();
    expect((await text(longThread.locator('.pre').first())).length).toBe(longPrompt.length);
    await page.getByPlaceholder('Search prompts, tools, inputs…').fill('get_weather');
    await expect.poll(() => page.locator('[data-thread]').count()).toBe(1);
    await shot(page, '3-session');

    // A session longer than a page of threads loads the rest as the reader scrolls (after_id paging).
    const codex = sessions.sessions.find((session) => session.id === codexSession);
    expect(codex?.threads).toBe(codexTurns);
    await page.goto(`${harness.server.url}/sessions/${codexSession}`);
    await page.locator('[data-thread]').first().waitFor();
    expect(await page.locator('[data-thread]').count()).toBeLessThan(codexTurns);
    await page.locator('.sentinel').scrollIntoViewIfNeeded();
    await expect.poll(() => page.locator('[data-thread]').count()).toBe(codexTurns);
    expect(await text(page.locator('[data-thread]').last())).toContain(
      `turn ${codexTurns - 1}: run the tests again`,
    );

    // The request log and the detail panel of one request.
    await page.getByRole('link', { name: 'Request log' }).click();
    await page.locator('[data-testid="requests-table"]').waitFor();
    expect(await rowsOf(page, 'requests-table', 'data-interception')).toEqual(
      interceptions.results.map((row) => row.id),
    );
    const newest = interceptions.results[0]!;
    await page.locator(`[data-interception="${newest.id}"] a`).click();
    const detail = page.locator('[data-testid="interception-detail"]');
    await detail.waitFor();
    expect(await text(detail)).toContain(newest.id);
    for (const usage of newest.token_usages) expect(await text(detail)).toContain(usage.provider_response_id);
    // With the panel open the log drops the columns the panel shows, and still fits at 1400 px.
    await expectFits(page, 'requests-table');
    expect(await page.locator('[data-testid="requests-table"] thead th:visible').allInnerTexts()).toEqual([
      'Time',
      'User',
      'Model',
      'Tokens in / out',
      'Prompt',
      'Duration',
    ]);
    await shot(page, '4-request-log');

    // Export: the CSV of the current view holds every matching row.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = readFileSync((await (await download).path()) ?? '', 'utf8');
    expect(csv.trimEnd().split('\r\n').length).toBe(interceptions.count + 1);

    // The request log filtered by client: the rows the API gives for that client, kept in the URL.
    const codexRequests = await apiJson<{ count: number; results: InterceptionJson[] }>(
      `/api/v2/aibridge/interceptions?q=${encodeURIComponent('client:Codex')}&limit=50`,
    );
    expect(codexRequests.count).toBe(codexTurns);
    await page.getByRole('button', { name: 'Close the request details' }).click();
    await expectFits(page, 'requests-table');
    await page.getByRole('combobox', { name: 'Client' }).selectOption('Codex');
    await page.waitForURL(/client=Codex/);
    await expect
      .poll(() => rowsOf(page, 'requests-table', 'data-interception'))
      .toEqual(codexRequests.results.map((row) => row.id));
    await shot(page, '4-request-log-by-client');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect
      .poll(() => rowsOf(page, 'requests-table', 'data-interception'))
      .toEqual(interceptions.results.map((row) => row.id));

    // Users and tokens: create an auditor, give them a token (shown once), check it works, delete it.
    await page.getByRole('link', { name: 'Users & tokens' }).click();
    await page.getByLabel('Username').fill('carol');
    await page.locator('select[name="role"]').selectOption('auditor');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('[data-user="carol"]').waitFor();
    expect(await page.getByLabel('Role of carol').inputValue()).toBe('auditor');
    // An owner changes a role in place; the API agrees.
    await page.getByLabel('Role of carol').selectOption('member');
    await expect
      .poll(async () => ((await apiJson<{ roles: string[] }>('/api/v2/users/carol')).roles ?? []).join())
      .toBe('');
    await page.getByLabel('Role of carol').selectOption('auditor');
    await expect
      .poll(async () => (await apiJson<{ roles: string[] }>('/api/v2/users/carol')).roles.join())
      .toBe('auditor');
    await page.getByRole('heading', { name: 'Tokens of carol' }).waitFor();
    await page.getByLabel('Token name').fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByTestId('new-token').inputValue();
    expect(token).toMatch(/^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$/);
    const me = await harness.server.api('/api/v2/users/me', { token });
    expect(((await me.json()) as { username: string }).username).toBe('carol');
    await page.locator('[data-token="ci"]').waitFor();
    await shot(page, '5-users-and-tokens');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete token ci' }).click();
    await page.locator('[data-token="ci"]').waitFor({ state: 'detached' });
    expect((await harness.server.api('/api/v2/users/me', { token })).status).toBe(401);

    // Sign-out ends the session: the cookie no longer opens the API.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const after = await page.evaluate(async () => (await fetch('/api/v2/users/me')).status);
    expect(after).toBe(401);
    expect(await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).toBe(
      '{}{}',
    );
    await shot(page, '6-signed-out');
  }, 120_000);

  it('shows a member only their own records on every page', async () => {
    const own = await apiJson<{ count: number; results: InterceptionJson[] }>(
      '/api/v2/aibridge/interceptions',
      harness.member.token,
    );
    expect(own.count).toBe(4);
    const page = await signIn(memberContext, harness.member.token);
    await page.locator('[data-testid="totals"]').waitFor();
    expect(await stat(page, 'Requests')).toBe(String(own.count));
    expect(await stat(page, 'Active users')).toBe('1');
    const topUsers = await page
      .locator('[data-testid="top-users"] tbody .user-cell > span:last-child')
      .allTextContents();
    expect(topUsers).toEqual([harness.member.username]);
    await shot(page, '7-overview-member');
    // The theme follows the system's colour scheme.
    const background = () => page.evaluate('getComputedStyle(document.documentElement).backgroundColor');
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).not.toBe(light);
    await shot(page, '7-overview-member-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    await page.locator('[data-testid="sessions-table"]').waitFor();
    expect(await rowsOf(page, 'sessions-table', 'data-session')).toEqual([claudeSession]);
    // Members have no user filter: they can only ever see themselves.
    expect(await page.getByRole('combobox', { name: 'User' }).count()).toBe(0);
    await shot(page, '8-sessions-member');

    await page.getByRole('link', { name: 'Request log' }).click();
    await page.locator('[data-testid="requests-table"]').waitFor();
    expect(await rowsOf(page, 'requests-table', 'data-interception')).toEqual(
      own.results.map((row) => row.id),
    );
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = readFileSync((await (await download).path()) ?? '', 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv.length).toBe(own.count + 1);
    expect(csv.slice(1).every((line) => line.includes(`,${harness.member.username},`))).toBe(true);

    // Another user's session is not found, as the API decides.
    await page.goto(`${harness.server.url}/sessions/${codexSession}`);
    await page.getByText('Could not load this view.').waitFor();

    await page.getByRole('link', { name: 'Users & tokens' }).click();
    await page.getByRole('heading', { name: 'Your tokens' }).waitFor();
    expect(await page.locator('[data-testid="users-table"]').count()).toBe(0);
    await shot(page, '9-tokens-member');
  }, 120_000);
});
