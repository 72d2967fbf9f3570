import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RecordedInterception } from '../../src/core/records.js';
import { purgeRecords } from '../../src/store/purge-records.js';
import { countSessions } from '../../src/store/query-sessions.js';
import { countsSessions, queryUsage, usageGroupBys, usageIntervals } from '../../src/store/query-usage.js';
import { createUser } from '../../src/store/users.js';
import { writeRecords } from '../../src/store/write-records.js';
import { describeEachDatabase } from '../support/databases.js';
import {
  type InterceptionSpec,
  interceptionRecord,
  recordInterceptions,
} from '../support/record-fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const day = Date.UTC(2025, 4, 20);
const at = (days: number, hours: number, minutes = 0) =>
  new Date(day + days * 86_400_000 + hours * 3_600_000 + minutes * 60_000);
const iso = (time: Date) => time.toISOString();

interface Sums {
  interceptions: number;
  failed_interceptions: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
}
interface Usage {
  interval: string;
  group_by: string;
  started_after: string;
  started_before: string;
  totals: Sums & { sessions: number; active_users: number; error_rate: number };
  groups: (Sums & { key: string; label: string })[];
  series: { buckets: string[]; groups: ({ key: string | null } & Record<keyof Sums, number[]>)[] };
  top_users: (Sums & { user: { username: string } })[];
  top_models: (Sums & { model: string })[];
  top_clients: (Sums & { client: string })[];
}

/**
 * The series' columns as points (bucket, group, sums), leaving out the buckets where a group had no usage:
 * what the assertions compare. Every column has one number per bucket.
 */
function pointsOf(series: Usage['series']): (Sums & { bucket: string; key: string | null })[] {
  const points: (Sums & { bucket: string; key: string | null })[] = [];
  series.buckets.forEach((bucket, index) => {
    for (const group of series.groups) {
      for (const column of Object.values(group)) {
        if (Array.isArray(column)) expect(column.length).toBe(series.buckets.length);
      }
      const sums = Object.fromEntries(
        (Object.keys(group) as (keyof typeof group)[])
          .filter((name) => name !== 'key')
          .map((name) => [name, (group[name] as number[])[index] ?? 0]),
      ) as unknown as Sums;
      if (sums.interceptions > 0) points.push({ bucket, key: group.key, ...sums });
    }
  });
  return points;
}

/** An interception (as a one-element list), ending in failure when `error` is given. */
function events(spec: InterceptionSpec, error?: string): RecordedInterception[] {
  const { interception } = interceptionRecord(spec);
  if (error === undefined) return [interception];
  return [{ ...interception, end: { ...interception.end, upstreamStatus: 529, error } }];
}

describeEachDatabase('GET /api/v2/aibridge/usage', (getStore) => {
  let server: TestServer;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  const usage = async (query: string, token?: string) => {
    const response = await server.api(
      `/api/v2/aibridge/usage?${query}`,
      token === undefined ? {} : { token },
    );
    return {
      status: response.status,
      body: (await response.json()) as Usage & { validations?: { field: string }[] },
    };
  };
  const q = (text: string) => `q=${encodeURIComponent(text)}`;
  const dayRange = q(`started_after:${iso(at(0, 0))} started_before:${iso(at(1, 0))}`);

  beforeAll(async () => {
    server = await startTestServer({ store: getStore() });
    alice = await server.createUser('alice');
    bob = await server.createUser('bob');
    const session = { initiatorId: alice.id, clientSessionId: 'cc-1' };
    await writeRecords(getStore().db, [
      ...events({
        ...session,
        startedAt: at(0, 10, 5),
        prompt: 'a',
        usages: [{ input: 100, output: 10, cacheRead: 5, cacheWrite: 1 }],
      }),
      ...events({ ...session, startedAt: at(0, 10, 20), usages: [{ input: 200, output: 20 }] }),
      ...events(
        { ...session, startedAt: at(0, 11, 0), model: 'claude-opus-4', usages: [{ input: 1, output: 2 }] },
        'overloaded',
      ),
      ...events({
        initiatorId: bob.id,
        startedAt: at(0, 11, 30),
        provider: 'openai',
        model: 'gpt-5',
        client: 'Codex',
        usages: [{ input: 50, output: 5, cacheRead: 7 }],
      }),
      ...events({
        initiatorId: bob.id,
        startedAt: at(1, 9),
        provider: 'openai',
        model: 'gpt-5',
        client: 'Codex',
        usages: [{ input: 1000, output: 1 }],
      }),
      ...events({
        initiatorId: bob.id,
        startedAt: at(-1, 23, 30),
        model: 'claude-opus-4',
        client: 'Zed',
        usages: [{ input: 7, output: 7 }],
      }),
    ]);
    // An interception of the same session written by a later batch.
    const late = events({
      initiatorId: alice.id,
      clientSessionId: 'cc-1',
      startedAt: at(0, 11, 40),
      usages: [{ input: 3, output: 3 }],
    });
    await writeRecords(getStore().db, late);
    // Never ended: counted nowhere.
    await recordInterceptions(getStore(), [
      { initiatorId: alice.id, startedAt: at(0, 12), durationMs: null },
    ]);
  });
  afterAll(() => server.close());

  it('sums a day per hour and model: totals, failures, sessions, active users and the series', async () => {
    const { status, body } = await usage(`interval=hour&group_by=model&${dayRange}`);
    expect(status).toBe(200);
    expect(body.started_after).toBe(iso(at(0, 0)));
    expect(body.started_before).toBe(iso(at(1, 0)));
    expect(body.totals).toEqual({
      interceptions: 5,
      failed_interceptions: 1,
      input_tokens: 354,
      output_tokens: 40,
      cache_read_input_tokens: 12,
      cache_write_input_tokens: 1,
      sessions: 2,
      active_users: 2,
      error_rate: 0.2,
    });
    expect(body.series.buckets.length).toBe(24);
    expect(
      pointsOf(body.series).map((point) => [
        point.bucket.slice(11, 16),
        point.key,
        point.interceptions,
        point.input_tokens,
      ]),
    ).toEqual([
      ['10:00', 'claude-sonnet-4', 2, 300],
      // Within a bucket, the groups come largest first, as `groups` lists them.
      ['11:00', 'claude-sonnet-4', 1, 3],
      ['11:00', 'claude-opus-4', 1, 1],
      ['11:00', 'gpt-5', 1, 50],
    ]);
    expect(body.groups.map((group) => [group.key, group.interceptions])).toEqual([
      ['claude-sonnet-4', 3],
      ['claude-opus-4', 1],
      ['gpt-5', 1],
    ]);
    expect(body.top_users.map((row) => [row.user.username, row.interceptions])).toEqual([
      ['alice', 4],
      ['bob', 1],
    ]);
    expect(body.top_clients.map((row) => [row.client, row.interceptions])).toEqual([
      ['Claude Code', 4],
      ['Codex', 1],
    ]);
  });

  it('sums per day and user, labelling users by username and rounding the range out to whole days', async () => {
    const range = q(`started_after:${iso(at(-1, 5))} started_before:${iso(at(1, 3))}`);
    const { body } = await usage(`interval=day&group_by=user&${range}`);
    expect(body.started_after).toBe(iso(at(-1, 0)));
    expect(body.started_before).toBe(iso(at(2, 0)));
    expect(body.groups.map((group) => [group.label, group.key, group.interceptions])).toEqual([
      ['alice', alice.id, 4],
      ['bob', bob.id, 3],
    ]);
    expect(
      pointsOf(body.series).map((point) => [point.bucket.slice(0, 10), point.key, point.input_tokens]),
    ).toEqual([
      ['2025-05-19', bob.id, 7],
      ['2025-05-20', alice.id, 304],
      ['2025-05-20', bob.id, 50],
      ['2025-05-21', bob.id, 1000],
    ]);
  });

  it('agrees with the interceptions table per hour and per day', async () => {
    const db = getStore().db;
    for (const interval of ['hour', 'day'] as const) {
      const expected = await sql<{ bucket: string; n: number; tokens: number }>`
        SELECT to_char(date_trunc(${interval}, i.started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI') AS bucket,
          count(*)::int AS n,
          coalesce(sum((SELECT sum(input_tokens) FROM aibridge_token_usages t WHERE t.interception_id = i.id)), 0)::int AS tokens
        FROM aibridge_interceptions i WHERE i.ended_at IS NOT NULL GROUP BY 1 ORDER BY 1`.execute(db);
      const range = q(`started_after:${iso(at(-1, 0))} started_before:${iso(at(2, 0))}`);
      const { body } = await usage(`interval=${interval}&groups=1&group_by=provider&${range}`);
      const buckets = new Map<string, { n: number; tokens: number }>();
      for (const point of pointsOf(body.series)) {
        const key = point.bucket.slice(0, 16);
        const entry = buckets.get(key) ?? { n: 0, tokens: 0 };
        entry.n += point.interceptions;
        entry.tokens += point.input_tokens;
        buckets.set(key, entry);
      }
      expect([...buckets.entries()].map(([bucket, entry]) => ({ bucket, ...entry }))).toEqual(expected.rows);
    }
  });

  it('keeps the largest groups apart and folds the rest into the null group', async () => {
    const { body } = await usage(`interval=hour&group_by=model&groups=1&${dayRange}`);
    expect(body.series.groups.map((group) => group.key)).toEqual(['claude-sonnet-4', null]);
    expect(
      pointsOf(body.series).map((point) => [point.bucket.slice(11, 16), point.key, point.interceptions]),
    ).toEqual([
      ['10:00', 'claude-sonnet-4', 2],
      ['11:00', 'claude-sonnet-4', 1],
      ['11:00', null, 2],
    ]);
  });

  it('filters by client, model and provider name like the other routes', async () => {
    const codex = await usage(`interval=day&${q(`client:Codex started_after:${iso(at(-5, 0))}`)}`);
    expect(codex.body.totals.interceptions).toBe(2);
    expect(codex.body.totals.sessions).toBe(2);
    const opus = await usage(`interval=day&${q(`model:claude-opus-4 started_after:${iso(at(-5, 0))}`)}`);
    expect(opus.body.totals.interceptions).toBe(2);
    expect(opus.body.totals.failed_interceptions).toBe(1);
  });

  it("shows a member only their own usage, and no one else's by name", async () => {
    const own = await usage(`interval=hour&${dayRange}`, alice.token);
    expect(own.status).toBe(200);
    expect(own.body.totals.interceptions).toBe(4);
    expect(own.body.totals.active_users).toBe(1);
    expect(own.body.top_users.map((row) => row.user.username)).toEqual(['alice']);
    const other = await usage(`${q('initiator:bob')}`, alice.token);
    expect(other.status).toBe(400);
    expect(other.body.validations?.map((validation) => validation.field)).toEqual(['initiator']);
  });

  it('rejects bad parameters all at once, and an hourly range beyond 31 days', async () => {
    const bad = await usage(`interval=week&group_by=team&groups=0&${q('session_id:x')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.validations?.map((validation) => validation.field).sort()).toEqual([
      'group_by',
      'groups',
      'interval',
      'session_id',
    ]);
    const long = await usage(`interval=hour&${q(`started_after:${iso(at(-40, 0))}`)}`);
    expect(long.status).toBe(400);
    expect(long.body.validations?.map((validation) => validation.field)).toEqual(['started_after']);
    const unauthenticated = await server.api('/api/v2/aibridge/usage', { token: null });
    expect(unauthenticated.status).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await (await server.api('/api/v2/openapi.json')).json()) as {
      paths: Record<string, { get: { parameters: { name: string }[] } }>;
    };
    const route = document.paths['/api/v2/aibridge/usage'];
    expect(route?.get.parameters.map((parameter) => parameter.name)).toEqual([
      'q',
      'interval',
      'group_by',
      'groups',
    ]);
  });

  it('loses the hours and days that retention purges', async () => {
    await purgeRecords(getStore().db, at(0, 0));
    const { body } = await usage(
      `interval=hour&${q(`started_after:${iso(at(-1, 0))} started_before:${iso(at(0, 0))}`)}`,
    );
    expect(body.totals.interceptions).toBe(0);
    expect(body.series.groups).toEqual([]);
    expect(body.series.buckets.length).toBe(24);
    const rows = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM aibridge_usage_hourly WHERE hour < ${iso(at(0, 0))}::timestamptz`.execute(
      getStore().db,
    );
    expect(rows.rows[0]?.n).toBe(0);
  });
});

describeEachDatabase('usage from the one-dimension rollup', (getStore) => {
  // 75 days from 2025-05-20 (across two month ends and many weeks), five users, at uneven hours.
  const hour = 3_600_000;
  const users: { id: string }[] = [];
  const models = ['m-a', 'm-b', 'm-c'];
  const clients = ['Claude Code', 'Codex', 'Zed'];
  const spec = (index: number): InterceptionSpec => ({
    initiatorId: users[index % 5]!.id,
    clientSessionId: `s-${Math.floor(index / 4)}`,
    startedAt: new Date(day + index * 17 * hour + (index % 13) * 60_000),
    model: models[index % 3]!,
    client: clients[Math.floor(index / 3) % 3]!,
    provider: index % 2 === 0 ? 'anthropic' : 'openai',
    providerName: index % 5 === 0 ? 'azure-eu' : index % 2 === 0 ? 'anthropic' : 'openai',
    usages: [{ input: index, output: 2 * index, cacheRead: index % 7, cacheWrite: index % 3 }],
  });
  const count = 105;
  const ranges: [string, Date, Date][] = [
    ['all of it by whole days', new Date(day - 86_400_000), new Date(day + 80 * 86_400_000)],
    ['mid-month to mid-month', new Date(Date.UTC(2025, 4, 27)), new Date(Date.UTC(2025, 6, 9))],
    ['ten days from an odd hour', new Date(Date.UTC(2025, 5, 3, 7)), new Date(Date.UTC(2025, 5, 13, 19))],
    ['one whole month', new Date(Date.UTC(2025, 5, 1)), new Date(Date.UTC(2025, 6, 1))],
    ['empty', new Date(Date.UTC(2024, 0, 1)), new Date(Date.UTC(2024, 0, 2))],
    ['April to June', new Date(Date.UTC(2025, 3, 1)), new Date(Date.UTC(2025, 5, 1))],
  ];
  /** Every range as whole buckets of each interval, as the route rounds them. */
  const bucketRanges = () =>
    ranges.flatMap(([name, start, end]) =>
      usageIntervals.map((interval) => {
        const size = interval === 'hour' ? hour : 86_400_000;
        const from = new Date(Math.floor(start.getTime() / size) * size);
        const to = new Date(Math.ceil(end.getTime() / size) * size);
        return { name: `${name}, ${interval}`, interval, from, to };
      }),
    );

  /**
   * Each user's sessions as `queryUsage` counts them from the per-user starts, for a member's own view and
   * for an owner filtering by the user, equal to `countSessions` over the sessions themselves.
   */
  const expectUserSessionsCounted = async () => {
    const db = getStore().db;
    for (const { name, interval, from, to } of bucketRanges()) {
      const range = { startedAfter: from, startedBefore: to };
      for (const user of users) {
        const expected = await countSessions(db, { filter: range, visibleTo: user.id });
        const query = { interval, groupBy: 'model' as const, from, to, groups: 2 };
        const own = await queryUsage(db, { ...query, visibleTo: user.id, filter: {} });
        expect(own.sessions, `${name}, member ${user.id}`).toBe(expected);
        const filtered = { ...query, visibleTo: null, filter: { initiatorId: user.id } };
        expect(countsSessions(filtered)).toBe(true);
        expect((await queryUsage(db, filtered)).sessions, `${name}, filtered by ${user.id}`).toBe(expected);
      }
      // A member filtering by someone else sees none of their sessions.
      const other = { initiatorId: users[1]!.id };
      const query = { interval, groupBy: 'user' as const, from, to, groups: 2, visibleTo: users[0]!.id };
      expect((await queryUsage(db, { ...query, filter: other })).sessions, name).toBe(0);
    }
  };

  /** Every interval, grouping and range: the narrow read equals the wide one, sessions as counted. */
  const expectNarrowEqualsWide = async () => {
    const db = getStore().db;
    for (const { name, interval, from, to } of bucketRanges()) {
      if (interval === 'hour' && to.getTime() - from.getTime() > 31 * 86_400_000) continue;
      for (const groupBy of usageGroupBys) {
        const query = { visibleTo: null, filter: {}, interval, groupBy, from, to, groups: 2 };
        const { sessions, ...narrow } = await queryUsage(db, query);
        expect(narrow, `${name}, ${groupBy}`).toEqual(await queryUsage(db, { ...query, rollup: 'wide' }));
        const filter = { startedAfter: from, startedBefore: to };
        expect(sessions, `${name} sessions`).toBe(await countSessions(db, { filter, visibleTo: null }));
      }
    }
  };

  beforeAll(async () => {
    const db = getStore().db;
    for (const username of ['u1', 'u2', 'u3', 'u4', 'u5']) users.push((await createUser(db, { username }))!);
    // Most in one batch; a few later, some of them earlier than their session's start so far (the session
    // moves to an earlier hour, day, week or month).
    const late = new Set([9, 30, 61]);
    const all = Array.from({ length: count }, (_, index) => index);
    const events_ = (index: number) => events(spec(index), index % 11 === 0 ? 'boom' : undefined);
    await writeRecords(db, all.filter((index) => !late.has(index)).flatMap(events_));
    for (const index of late) {
      await writeRecords(db, events({ ...spec(index), clientSessionId: `s-${Math.floor(index / 4) + 1}` }));
    }
  });

  it('has the interceptions and sessions the history holds', async () => {
    const db = getStore().db;
    const { sessions, total } = await queryUsage(db, {
      visibleTo: null,
      filter: {},
      interval: 'day',
      groupBy: 'model',
      from: ranges[0]![1],
      to: ranges[0]![2],
      groups: 2,
    });
    expect(total.interceptions).toBe(count);
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM aibridge_sessions`.execute(db);
    expect(sessions).toBe(stored.rows[0]?.n);
  });

  it('equals the usage read from the rollups with every dimension, for every interval, grouping and range', async () => {
    await expectNarrowEqualsWide();
  });

  it("counts a user's sessions of every range as the sessions themselves do", async () => {
    const db = getStore().db;
    const one = await queryUsage(db, {
      visibleTo: users[0]!.id,
      filter: {},
      interval: 'day',
      groupBy: 'model',
      from: ranges[0]![1],
      to: ranges[0]![2],
      groups: 2,
    });
    // Not trivially zero: the first user started sessions in the whole range.
    expect(one.sessions).toBeGreaterThan(0);
    await expectUserSessionsCounted();
  });

  it('leaves the sessions to countSessions when another dimension is filtered', async () => {
    const query = {
      interval: 'day' as const,
      groupBy: 'model' as const,
      from: ranges[0]![1],
      to: ranges[0]![2],
      groups: 2,
    };
    const filtered = { ...query, visibleTo: users[0]!.id, filter: { model: 'm-a' } };
    expect(countsSessions(filtered)).toBe(false);
    expect((await queryUsage(getStore().db, filtered)).sessions).toBeUndefined();
  });

  it("still counts them when a session's start moves to an earlier hour, day, week and month", async () => {
    const db = getStore().db;
    // An interception of the first user's first session, in April: weeks before the session began.
    const april = new Date(Date.UTC(2025, 3, 2, 5, 30));
    const moved = { ...spec(0), startedAt: april };
    const { rows } = await sql<{ started_at: Date }>`SELECT started_at FROM aibridge_sessions
      WHERE initiator_id = ${moved.initiatorId} AND session_key = ${moved.clientSessionId}`.execute(db);
    expect(rows[0]!.started_at.getTime()).toBeGreaterThan(april.getTime());
    await writeRecords(db, events(moved));
    await expectUserSessionsCounted();
    await expectNarrowEqualsWide();
  });

  it('still equals it after retention purged the start of a week and a month', async () => {
    // 2025-06-12 is a Thursday: its week and month began before the cutoff and keep only their later days.
    await purgeRecords(getStore().db, new Date(Date.UTC(2025, 5, 12, 15)));
    await expectNarrowEqualsWide();
    await expectUserSessionsCounted();
  });
});
