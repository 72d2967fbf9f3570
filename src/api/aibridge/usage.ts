/**
 * `GET /api/v2/aibridge/usage`: interceptions, failures, sessions, active users and tokens over a time
 * range, as totals, a series per hour or day split by one dimension, and the top users, models and
 * clients — the dashboard's overview, served from the usage rollups. Members see only their own usage.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, type Validation } from '../../http-error.js';
import { parseSearchQuery, usageGrammar } from '../../search/parse-search-query.js';
import { countSessions } from '../../store/query-sessions.js';
import {
  countsSessions,
  type MinimalUser,
  queryUsage,
  type UsageGroupBy,
  type UsageInterval,
  type UsageResult,
  type UsageSums,
  usageGroupBys,
  usageIntervals,
} from '../../store/query-usage.js';
import type { ApiContext } from '../api-context.js';
import { requireUser } from '../require-user.js';
import { QueryParameters } from './query-parameters.js';
import { resolveSearch, visibilityOf } from './resolve-search.js';
import { fastifyPath, type QueryRouteSpec, responseSchemaOf } from './route-spec.js';
import { type JsonSchema, minimalUser } from './schemas.js';

const hourMs = 3_600_000;
const dayMs = 86_400_000;
const bucketMs: Record<UsageInterval, number> = { hour: hourMs, day: dayMs };
/** The default range of each interval, and the longest it may span (so a series stays small). */
const defaultSpanMs: Record<UsageInterval, number> = { hour: 24 * hourMs, day: 30 * dayMs };
const maxSpanMs: Record<UsageInterval, number> = { hour: 31 * dayMs, day: 3660 * dayMs };
const groupsLimits = { default: 8, max: 50 };

const integer: JsonSchema = { type: 'integer' };
const sumsProperties = {
  interceptions: integer,
  failed_interceptions: integer,
  input_tokens: integer,
  output_tokens: integer,
  cache_read_input_tokens: integer,
  cache_write_input_tokens: integer,
} satisfies Record<string, JsonSchema>;

function object(properties: Record<string, JsonSchema>, description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
}

const nullableString: JsonSchema = { type: ['string', 'null'] };
const time: JsonSchema = { type: 'string', format: 'date-time' };
const listOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

export const usageResponse: JsonSchema = object({
  interval: { type: 'string', description: 'hour or day (UTC)' },
  group_by: { type: 'string', description: 'model, user, client, provider or provider_name' },
  started_after: { ...time, description: 'Start of the range, rounded down to a whole bucket' },
  started_before: { ...time, description: 'End of the range (exclusive), rounded up to a whole bucket' },
  totals: object({
    ...sumsProperties,
    sessions: { type: 'integer', description: 'Sessions started in the range' },
    active_users: { type: 'integer', description: 'Users with an interception in the range' },
    error_rate: { type: 'number', description: 'failed_interceptions / interceptions (0 when none)' },
  }),
  groups: listOf(
    object(
      { key: { type: 'string' }, label: { type: 'string' }, ...sumsProperties },
      'A group of the series (a user is keyed by id and labelled by username), largest first',
    ),
  ),
  series: object(
    {
      buckets: { ...listOf(time), description: 'The start of every bucket of the range, in order' },
      groups: listOf(
        object(
          {
            key: { ...nullableString, description: 'null: every group beyond `groups`' },
            ...Object.fromEntries(
              Object.keys(sumsProperties).map((name) => [
                name,
                { ...listOf(integer), description: 'One per bucket' },
              ]),
            ),
          },
          'A group kept apart (largest first; the null group last): its sums per bucket, 0 where it had no usage',
        ),
      ),
    },
    'Usage per bucket and group, as columns: a group of G entries over B buckets is 6 arrays of B numbers',
  ),
  top_users: listOf(object({ user: minimalUser, ...sumsProperties })),
  top_models: listOf(object({ model: { type: 'string' }, ...sumsProperties })),
  top_clients: listOf(object({ client: { type: 'string' }, ...sumsProperties })),
});

export const usageRoute: QueryRouteSpec = {
  path: '/api/v2/aibridge/usage',
  operationId: 'get-ai-bridge-usage',
  summary: 'AI Bridge usage over time',
  description:
    'Interceptions, failures, sessions, active users and tokens of the interceptions the caller may see, ' +
    'started in a time range: totals, a series per UTC hour or day split by one dimension, and the top ' +
    '10 users, models and clients. Served from rollups; the range is rounded out to whole buckets.',
  parameters: [
    {
      name: 'q',
      in: 'query',
      type: 'string',
      required: false,
      description:
        'Search query in the format `key:value`. Available keys are: initiator, provider, provider_name, model, ' +
        'client, started_after, started_before. Without started_after: the last 24 hours (hour) or 30 days (day).',
    },
    {
      name: 'interval',
      in: 'query',
      type: 'string',
      required: false,
      description: 'Bucket size: hour (default; a range of at most 31 days) or day',
    },
    {
      name: 'group_by',
      in: 'query',
      type: 'string',
      required: false,
      description: 'Split of the series: model (default), user, client, provider or provider_name',
    },
    {
      name: 'groups',
      in: 'query',
      type: 'integer',
      required: false,
      description: `How many groups the series keeps apart (default ${groupsLimits.default}, 1 to ${groupsLimits.max}); the rest are summed under key null`,
    },
  ],
  response: usageResponse,
};

const sumsJson = (sums: UsageSums) => ({
  interceptions: sums.interceptions,
  failed_interceptions: sums.failed,
  input_tokens: sums.inputTokens,
  output_tokens: sums.outputTokens,
  cache_read_input_tokens: sums.cacheReadInputTokens,
  cache_write_input_tokens: sums.cacheWriteInputTokens,
});

const userJson = (user: MinimalUser) => ({
  id: user.id,
  username: user.username,
  name: user.name,
  avatar_url: user.avatarUrl,
});

function oneOf<T extends string>(input: {
  parameters: QueryParameters;
  name: string;
  values: readonly T[];
  fallback: T;
  validations: Validation[];
}): T {
  const value = input.parameters.text(input.name);
  if (value === undefined) return input.fallback;
  const found = input.values.find((candidate) => candidate === value);
  if (found === undefined) {
    input.validations.push({
      field: input.name,
      detail: `Must be one of ${input.values.join(', ')}, not "${value}".`,
    });
    return input.fallback;
  }
  return found;
}

/** The range rounded out to whole buckets, with a default start; a validation when it is too long. */
export function usageRange(input: {
  interval: UsageInterval;
  after: Date | undefined;
  before: Date | undefined;
  now: Date;
}): { from: Date; to: Date; validation: Validation | null } {
  const size = bucketMs[input.interval];
  const to = new Date(Math.ceil((input.before ?? input.now).getTime() / size) * size);
  const start = input.after?.getTime() ?? to.getTime() - defaultSpanMs[input.interval];
  const from = new Date(Math.floor(start / size) * size);
  const tooLong = to.getTime() - from.getTime() > maxSpanMs[input.interval];
  return {
    from,
    to,
    validation: tooLong
      ? {
          field: 'started_after',
          detail: `A range by ${input.interval} spans at most ${maxSpanMs[input.interval] / dayMs} days; use interval=day for longer ones.`,
        }
      : null,
  };
}

type SumsColumns = Record<keyof ReturnType<typeof sumsJson>, number[]>;

/**
 * The series as columns: every bucket of the range once, and per group one array per sum. At 8 groups
 * over 7 days by hour that is ~40 KiB of JSON instead of ~230 KiB as one object per point, and the chart
 * reads it as it is.
 */
export function seriesColumns(input: {
  usage: Pick<UsageResult, 'series' | 'groups'>;
  interval: UsageInterval;
  from: Date;
  to: Date;
}): { buckets: string[]; groups: ({ key: string | null } & SumsColumns)[] } {
  const size = bucketMs[input.interval];
  const start = input.from.getTime();
  const count = Math.max(0, Math.ceil((input.to.getTime() - start) / size));
  const buckets = Array.from({ length: count }, (_, index) => new Date(start + index * size).toISOString());
  const present = new Set(input.usage.series.map((point) => point.key));
  // Largest first, as the groups are listed; the folded rest last.
  const keys: (string | null)[] = input.usage.groups
    .map((group) => group.key)
    .filter((key) => present.has(key));
  if (present.has(null)) keys.push(null);
  const zeros = () => new Array<number>(count).fill(0);
  const groups = keys.map((key) => ({
    key,
    interceptions: zeros(),
    failed_interceptions: zeros(),
    input_tokens: zeros(),
    output_tokens: zeros(),
    cache_read_input_tokens: zeros(),
    cache_write_input_tokens: zeros(),
  }));
  const byKey = new Map(groups.map((group) => [group.key, group]));
  for (const point of input.usage.series) {
    const group = byKey.get(point.key);
    const index = Math.round((Date.parse(point.bucket) - start) / size);
    if (!group || index < 0 || index >= count) continue;
    for (const [name, value] of Object.entries(sumsJson(point)) as [keyof SumsColumns, number][]) {
      group[name][index] = value;
    }
  }
  return { buckets, groups };
}

/** Registers the usage route. */
export function registerUsageRoute(app: FastifyInstance, context: ApiContext): void {
  app.get(fastifyPath(usageRoute), responseSchemaOf(usageRoute), async (request) => {
    const principal = await requireUser(request, context);
    const visibleTo = visibilityOf(principal);
    const parameters = new QueryParameters(request.query);
    const validations: Validation[] = [];
    const q = parameters.text('q') ?? '';
    const interval = oneOf({
      parameters,
      name: 'interval',
      values: usageIntervals,
      fallback: 'hour',
      validations,
    });
    const groupBy: UsageGroupBy = oneOf({
      parameters,
      name: 'group_by',
      values: usageGroupBys,
      fallback: 'model',
      validations,
    });
    const groups = parameters.integer('groups', {
      fallback: groupsLimits.default,
      min: 1,
      max: groupsLimits.max,
    });
    const parsed = parseSearchQuery(q, usageGrammar);
    const resolved = await resolveSearch({ context, principal, search: parsed.filter });
    const { startedAfter, startedBefore, ...filter } = resolved.filter;
    const range = usageRange({ interval, after: startedAfter, before: startedBefore, now: new Date() });
    validations.push(...parameters.validations, ...parsed.validations, ...resolved.validations);
    if (range.validation) validations.push(range.validation);
    if (validations.length > 0) throw badRequest('Invalid query parameters.', validations);

    const db = context.store.db;
    const query = { visibleTo, filter, interval, groupBy, from: range.from, to: range.to, groups };
    // Usage filtered by more than the user counts its sessions from the sessions rollup, meanwhile.
    const [usage, counted] = await Promise.all([
      queryUsage(db, query),
      countsSessions(query)
        ? null
        : countSessions(db, {
            filter: { ...filter, startedAfter: range.from, startedBefore: range.to },
            visibleTo,
          }),
    ]);
    const sessions = usage.sessions ?? counted ?? 0;
    const total = usage.total;
    return {
      interval,
      group_by: groupBy,
      started_after: range.from.toISOString(),
      started_before: range.to.toISOString(),
      totals: {
        ...sumsJson(total),
        sessions,
        active_users: usage.activeUsers,
        error_rate: total.interceptions === 0 ? 0 : total.failed / total.interceptions,
      },
      groups: usage.groups.map((group) => ({
        key: group.key,
        label: group.user?.username ?? group.key,
        ...sumsJson(group),
      })),
      series: seriesColumns({ usage, interval, from: range.from, to: range.to }),
      top_users: usage.users.flatMap((row) =>
        row.user ? [{ user: userJson(row.user), ...sumsJson(row) }] : [],
      ),
      top_models: usage.models.map((row) => ({ model: row.key, ...sumsJson(row) })),
      top_clients: usage.clients.map((row) => ({ client: row.key, ...sumsJson(row) })),
    };
  });
}
