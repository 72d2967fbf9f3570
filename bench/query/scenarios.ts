/**
 * What the query benchmark requests: each route without and with filters, first pages and deep keyset
 * pages, as an owner (everyone's records) and as the busiest member (their own). Cursors and sessions are
 * looked up in the loaded history first and rotated so that caches do not flatter the numbers.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import type { Scenario } from './measure.js';

const targets = {
  interceptions: 15,
  sessions: 20,
  'session threads': 20,
  models: 5,
  clients: 5,
  usage: 20,
} as const;

const q = (query: string) => `q=${encodeURIComponent(query)}`;
const rotate = <T>(values: readonly T[], make: (value: T) => string) => values.map(make);

/** The first column of a query's rows. */
async function column<T>(db: Kysely<Database>, query: RawBuilder<unknown>): Promise<T[]> {
  const result = await query.execute(db);
  return (result.rows as Record<string, unknown>[]).map((row) => Object.values(row)[0] as T);
}

/** Builds the scenarios from the history in `db`; `member` is the busiest user, `owner` sees everything. */
export async function buildScenarios(input: {
  db: Kysely<Database>;
  ownerToken: string;
  memberToken: string;
  memberId: string;
  interceptions: number;
}): Promise<Scenario[]> {
  const { db, ownerToken, memberToken, memberId } = input;
  const depths = [0.1, 0.3, 0.5, 0.7, 0.9].map((fraction) => Math.floor(fraction * input.interceptions));
  const deepIds: string[] = [];
  for (const depth of depths) {
    deepIds.push(
      ...(await column<string>(
        db,
        sql`SELECT id::text FROM aibridge_interceptions WHERE ended_at IS NOT NULL
        ORDER BY started_at DESC, id DESC OFFSET ${depth} LIMIT 1`,
      )),
    );
  }
  const sessionCount = (await column<number>(db, sql`SELECT count(*) FROM aibridge_sessions`))[0] ?? 0;
  const deepSessions: string[] = [];
  for (const fraction of [0.1, 0.3, 0.5, 0.7, 0.9]) {
    deepSessions.push(
      ...(await column<string>(
        db,
        sql`SELECT session_key FROM aibridge_sessions
        ORDER BY last_active_at DESC, session_key DESC, initiator_id OFFSET ${Math.floor(fraction * sessionCount)} LIMIT 1`,
      )),
    );
  }
  const randomSessions = await column<string>(
    db,
    sql`SELECT session_key FROM aibridge_sessions ORDER BY md5(session_key) LIMIT 200`,
  );
  const [longest] = await column<string>(
    db,
    sql`SELECT session_key FROM aibridge_sessions ORDER BY interceptions DESC LIMIT 1`,
  );
  const longestThreads = await column<string>(
    db,
    sql`SELECT id::text FROM aibridge_interceptions WHERE session_key = ${longest!} AND thread_parent_id IS NULL
      AND ended_at IS NOT NULL ORDER BY started_at, id`,
  );
  const middleThread = longestThreads[Math.floor(longestThreads.length / 2)]!;
  const memberSessions = await column<string>(
    db,
    sql`SELECT session_key FROM aibridge_sessions WHERE initiator_id = ${memberId} ORDER BY md5(session_key) LIMIT 200`,
  );
  const memberDeepIds = await column<string>(
    db,
    sql`SELECT id::text FROM aibridge_interceptions WHERE initiator_id = ${memberId} AND ended_at IS NOT NULL
      ORDER BY md5(id::text) LIMIT 50`,
  );
  const newest = (await column<Date>(db, sql`SELECT max(started_at) FROM aibridge_interceptions`))[0]!;
  const daysAgo = (days: number) => new Date(newest.getTime() - days * 86_400_000).toISOString();

  const interceptions = (name: string, paths: string[], token = ownerToken): Scenario => ({
    route: 'interceptions',
    name,
    paths: paths.map((path) => `/api/v2/aibridge/interceptions${path}`),
    token,
    targetMs: targets.interceptions,
  });
  const sessions = (name: string, paths: string[], token = ownerToken): Scenario => ({
    route: 'sessions',
    name,
    paths: paths.map((path) => `/api/v2/aibridge/sessions${path}`),
    token,
    targetMs: targets.sessions,
  });
  const threads = (name: string, paths: string[], token = ownerToken): Scenario => ({
    route: 'session threads',
    name,
    paths: paths.map((path) => `/api/v2/aibridge/sessions/${path}`),
    token,
    targetMs: targets['session threads'],
  });
  const values = (
    route: 'models' | 'clients',
    name: string,
    query: string,
    token = ownerToken,
  ): Scenario => ({
    route,
    name,
    paths: [`/api/v2/aibridge/${route}${query}`],
    token,
    targetMs: targets[route],
  });
  const fixed = (path: string) => [path];
  /** The overview's request: a range ending at the newest interception, per hour or day, split one way. */
  const usage = (
    name: string,
    input: { days: number; interval: 'hour' | 'day'; groupBy: string },
    token = ownerToken,
  ): Scenario => ({
    route: 'usage',
    name,
    paths: [
      `/api/v2/aibridge/usage?interval=${input.interval}&group_by=${input.groupBy}&${q(
        `started_after:${daysAgo(input.days)} started_before:${newest.toISOString()}`,
      )}`,
    ],
    token,
    targetMs: targets.usage,
  });

  return [
    interceptions('first page, no filter', fixed('')),
    interceptions('initiator', fixed(`?${q('initiator:user50')}`)),
    interceptions('model (o3)', fixed(`?${q('model:o3')}`)),
    interceptions('provider_name (5% share)', fixed(`?${q('provider_name:anthropic-eu')}`)),
    interceptions('last 7 days', fixed(`?${q(`started_after:${daysAgo(7)}`)}`)),
    interceptions(
      'one-day window, 45 days ago',
      fixed(`?${q(`started_after:${daysAgo(45)} started_before:${daysAgo(44)}`)}`),
    ),
    interceptions(
      'initiator + model + 30 days',
      fixed(`?${q(`initiator:user0 model:claude-sonnet-4 started_after:${daysAgo(30)}`)}`),
    ),
    interceptions(
      'deep after_id (10–90%)',
      rotate(deepIds, (id) => `?after_id=${id}`),
    ),
    interceptions('offset 10000', fixed('?offset=10000')),
    interceptions('member, first page', fixed(''), memberToken),
    interceptions(
      'member, deep after_id',
      rotate(memberDeepIds, (id) => `?after_id=${id}`),
      memberToken,
    ),
    sessions('first page, no filter', fixed('')),
    sessions('model (claude-opus-4)', fixed(`?${q('model:claude-opus-4')}`)),
    sessions('client (Zed)', fixed(`?${q('client:Zed')}`)),
    sessions('provider_name (azure-openai)', fixed(`?${q('provider_name:azure-openai')}`)),
    sessions('initiator', fixed(`?${q('initiator:user50')}`)),
    sessions('last 7 days', fixed(`?${q(`started_after:${daysAgo(7)}`)}`)),
    sessions(
      'deep after_session_id (10–90%)',
      rotate(deepSessions, (key) => `?after_session_id=${encodeURIComponent(key)}`),
    ),
    sessions('member, first page', fixed(''), memberToken),
    threads('200 random sessions', rotate(randomSessions, encodeURIComponent)),
    threads(
      `longest session (${longestThreads.length} threads), first page`,
      fixed(encodeURIComponent(longest!)),
    ),
    threads(
      'longest session, middle page',
      fixed(`${encodeURIComponent(longest!)}?after_id=${middleThread}`),
    ),
    threads('member, own random sessions', rotate(memberSessions, encodeURIComponent), memberToken),
    values('models', 'all', ''),
    values('models', 'prefix "claude"', `?${q('claude')}`),
    values('models', 'member', '', memberToken),
    values('clients', 'all', ''),
    values('clients', 'prefix "C"', `?${q('C')}`),
    values('clients', 'member', '', memberToken),
    usage('24 h by hour, by model', { days: 1, interval: 'hour', groupBy: 'model' }),
    usage('7 days by hour, by user', { days: 7, interval: 'hour', groupBy: 'user' }),
    usage('30 days by day, by client', { days: 30, interval: 'day', groupBy: 'client' }),
    usage('90 days by day, by model', { days: 90, interval: 'day', groupBy: 'model' }),
    usage('90 days by day, by user', { days: 90, interval: 'day', groupBy: 'user' }),
    usage('member, 30 days by day', { days: 30, interval: 'day', groupBy: 'model' }, memberToken),
  ];
}
