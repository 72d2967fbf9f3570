import { type Kysely, type RawBuilder, sql } from 'kysely';
import { executeTogether } from './insert-unnest.js';
import type { InterceptionFacts } from './interception-facts.js';
import type { Database } from './schema.js';
import { addTokenUsageSum, emptyTokenUsageSum, type TokenUsageSum } from './sum-token-usages.js';

/** One session's share of a batch: what the ended interceptions add to its rollup row. */
interface SessionDelta {
  initiatorId: string;
  sessionKey: string;
  first: InterceptionFacts;
  startedAt: Date;
  endedAt: Date;
  prompt: InterceptionFacts['prompt'];
  providers: Set<string>;
  providerNames: Set<string>;
  models: Set<string>;
  interceptions: number;
  threads: number;
  usage: TokenUsageSum;
}

/**
 * Adds interceptions that just ended to the rollups the query API reads (`aibridge_sessions` with its
 * summed usage metadata, `aibridge_session_models`, `aibridge_interception_counts` per UTC day,
 * `aibridge_interception_totals`, `aibridge_usage_hourly`, `aibridge_usage_by_dimension`). The deltas are computed here from the facts and applied with one upsert
 * per table, rather than re-read and grouped in SQL: that halved the rollups' share of a 300-interception
 * batch. Each interception must be passed exactly once in its life: the writer passes only rows it just
 * ended.
 */
export async function updateRollups(
  transaction: Kysely<Database>,
  facts: readonly InterceptionFacts[],
): Promise<void> {
  if (facts.length === 0) return;
  const sessions = sessionDeltas(facts);
  await upsertSessions(transaction, sessions, facts);
  // The other rollups in one round trip, in this table order (see executeTogether).
  await executeTogether(transaction, [sessionModels(sessions), ...countStatements(facts)]);
}

function sessionDeltas(facts: readonly InterceptionFacts[]): SessionDelta[] {
  const sessions = new Map<string, SessionDelta>();
  for (const fact of facts) {
    const key = `${fact.initiatorId}\u0000${fact.sessionKey}`;
    let delta = sessions.get(key);
    if (!delta) {
      delta = {
        initiatorId: fact.initiatorId,
        sessionKey: fact.sessionKey,
        first: fact,
        startedAt: fact.startedAt,
        endedAt: fact.endedAt,
        prompt: null,
        providers: new Set(),
        providerNames: new Set(),
        models: new Set(),
        interceptions: 0,
        threads: 0,
        usage: emptyTokenUsageSum(),
      };
      sessions.set(key, delta);
    }
    if (earlier(fact, delta.first)) delta.first = fact;
    if (fact.startedAt < delta.startedAt) delta.startedAt = fact.startedAt;
    if (fact.endedAt > delta.endedAt) delta.endedAt = fact.endedAt;
    if (fact.prompt && (!delta.prompt || fact.prompt.at >= delta.prompt.at)) delta.prompt = fact.prompt;
    delta.providers.add(fact.provider);
    delta.providerNames.add(fact.providerName);
    delta.models.add(fact.model);
    delta.interceptions += 1;
    if (fact.isRoot) delta.threads += 1;
    addTokenUsageSum(delta.usage, fact.usage);
  }
  // Upserted in key order, so that two writers ending interceptions of the same sessions take row locks in
  // the same order and cannot deadlock.
  const order = (delta: SessionDelta) => `${delta.initiatorId}\u0000${delta.sessionKey}`;
  return [...sessions.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

const earlier = (a: InterceptionFacts, b: InterceptionFacts) =>
  a.startedAt < b.startedAt || (a.startedAt.getTime() === b.startedAt.getTime() && a.id < b.id);

const sorted = (values: Set<string>) => JSON.stringify([...values].sort());
const textArray = (column: string) => sql.raw(`ARRAY(SELECT jsonb_array_elements_text(u.${column}))`);

/**
 * A session array column merged with the batch's values: distinct and sorted, unchanged when the batch adds
 * nothing new (most batches; sorting per row was a tenth of the upsert).
 */
const arrayUnion = (column: string) =>
  sql.raw(`CASE WHEN excluded.${column} <@ s.${column} THEN s.${column}
    ELSE ARRAY(SELECT DISTINCT unnest(s.${column} || excluded.${column}) ORDER BY 1) END`);

/**
 * One upsert for the batch's sessions.
 * - `errors` adds the facts' failed interceptions (migration 0010), counted from the stored `error_type`,
 *   the one rule of what a failure is, which the writer has already set on these rows. Read in the same
 *   statement rather than by an UPDATE after it: one round trip and one row version less per session
 *   (and one firing less of the sessions' update trigger).
 * - `token_metadata` adds the batch's sums key by key as migration 0004's `aibridge_add_numeric_objects`
 *   does, written out here: a SQL function with an aggregate is not inlined, and calling it per row was
 *   about a third of the upsert; a batch without numeric metadata leaves the column as it is.
 */
async function upsertSessions(
  transaction: Kysely<Database>,
  deltas: SessionDelta[],
  facts: readonly InterceptionFacts[],
): Promise<void> {
  const column = <T>(read: (delta: SessionDelta) => T) => deltas.map(read);
  await sql`
    WITH e AS (
      SELECT initiator_id, session_key, count(*) AS errors FROM aibridge_interceptions
      WHERE id = ANY(${facts.map((fact) => fact.id)}::uuid[]) AND error_type IS NOT NULL
      GROUP BY 1, 2
    )
    INSERT INTO aibridge_sessions AS s (
      initiator_id, session_key, first_interception_id, client, metadata, started_at, ended_at,
      last_prompt, last_prompt_at, last_active_at, providers, provider_names, models, interceptions, threads,
      input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens, token_metadata, errors
    )
    SELECT u.initiator_id, u.session_key, u.first_interception_id, u.client, u.metadata, u.started_at,
           u.ended_at, u.last_prompt, u.last_prompt_at, coalesce(u.last_prompt_at, u.started_at),
           ${textArray('providers')}, ${textArray('provider_names')}, ${textArray('models')},
           u.interceptions, u.threads, u.input_tokens, u.output_tokens, u.cache_read, u.cache_write,
           u.token_metadata, coalesce(e.errors, 0)
    FROM unnest(
      ${column((d) => d.initiatorId)}::uuid[], ${column((d) => d.sessionKey)}::text[],
      ${column((d) => d.first.id)}::uuid[], ${column((d) => d.first.client)}::text[],
      ${column((d) => JSON.stringify(d.first.metadata))}::jsonb[],
      ${column((d) => d.startedAt.toISOString())}::timestamptz[],
      ${column((d) => d.endedAt.toISOString())}::timestamptz[],
      ${column((d) => d.prompt?.text ?? null)}::text[],
      ${column((d) => d.prompt?.at.toISOString() ?? null)}::timestamptz[],
      ${column((d) => sorted(d.providers))}::jsonb[], ${column((d) => sorted(d.providerNames))}::jsonb[],
      ${column((d) => sorted(d.models))}::jsonb[],
      ${column((d) => d.interceptions)}::bigint[], ${column((d) => d.threads)}::bigint[],
      ${column((d) => d.usage.inputTokens)}::bigint[], ${column((d) => d.usage.outputTokens)}::bigint[],
      ${column((d) => d.usage.cacheReadInputTokens)}::bigint[],
      ${column((d) => d.usage.cacheWriteInputTokens)}::bigint[],
      ${column((d) => JSON.stringify(Object.fromEntries(d.usage.metadata)))}::jsonb[]
    ) WITH ORDINALITY AS u (
      initiator_id, session_key, first_interception_id, client, metadata, started_at, ended_at, last_prompt,
      last_prompt_at, providers, provider_names, models, interceptions, threads, input_tokens, output_tokens,
      cache_read, cache_write, token_metadata, ordinality
    )
    LEFT JOIN e ON e.initiator_id = u.initiator_id AND e.session_key = u.session_key
    ORDER BY u.ordinality
    ON CONFLICT (initiator_id, session_key) DO UPDATE SET
      first_interception_id = CASE WHEN excluded.started_at < s.started_at
        THEN excluded.first_interception_id ELSE s.first_interception_id END,
      client = CASE WHEN excluded.started_at < s.started_at THEN excluded.client ELSE s.client END,
      metadata = CASE WHEN excluded.started_at < s.started_at THEN excluded.metadata ELSE s.metadata END,
      started_at = least(s.started_at, excluded.started_at),
      ended_at = greatest(s.ended_at, excluded.ended_at),
      last_prompt = CASE WHEN excluded.last_prompt_at IS NOT NULL
          AND (s.last_prompt_at IS NULL OR excluded.last_prompt_at >= s.last_prompt_at)
        THEN excluded.last_prompt ELSE s.last_prompt END,
      last_prompt_at = greatest(s.last_prompt_at, excluded.last_prompt_at),
      last_active_at = coalesce(greatest(s.last_prompt_at, excluded.last_prompt_at),
        least(s.started_at, excluded.started_at)),
      providers = ${arrayUnion('providers')},
      provider_names = ${arrayUnion('provider_names')},
      models = ${arrayUnion('models')},
      interceptions = s.interceptions + excluded.interceptions,
      threads = s.threads + excluded.threads,
      input_tokens = s.input_tokens + excluded.input_tokens,
      output_tokens = s.output_tokens + excluded.output_tokens,
      cache_read_input_tokens = s.cache_read_input_tokens + excluded.cache_read_input_tokens,
      cache_write_input_tokens = s.cache_write_input_tokens + excluded.cache_write_input_tokens,
      errors = s.errors + excluded.errors,
      token_metadata = CASE WHEN excluded.token_metadata = '{}' THEN s.token_metadata ELSE (
        SELECT coalesce(jsonb_object_agg(key, total), '{}') FROM (
          SELECT key, sum(value::numeric) AS total
          FROM (SELECT * FROM jsonb_each(s.token_metadata) UNION ALL SELECT * FROM jsonb_each(excluded.token_metadata)) pairs
          GROUP BY key
        ) summed
      ) END
  `.execute(transaction);
}

/**
 * The sessions' models one row each (migration 0005), the same union as the upsert's `models`. It runs
 * after the upsert, which locked the session rows: a writer ending interceptions of the same session waits
 * there, so two writers never insert one model row at once.
 */
function sessionModels(deltas: SessionDelta[]): RawBuilder<unknown> {
  const rows = deltas.flatMap((delta) => [...delta.models].map((model) => ({ model, delta })));
  return sql`
    INSERT INTO aibridge_session_models (model, initiator_id, session_key)
    SELECT * FROM unnest(${rows.map((row) => row.model)}::text[], ${rows.map((row) => row.delta.initiatorId)}::uuid[],
      ${rows.map((row) => row.delta.sessionKey)}::text[])
    ON CONFLICT DO NOTHING`;
}

/** What one rollup row adds: interceptions, failures and token sums. */
interface UsageDelta {
  bucket: string;
  fact: InterceptionFacts;
  count: number;
  failed: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * Sums facts per time bucket and dimension, in key order: two writers touching the same rows then take
 * their row locks in the same order and cannot deadlock.
 */
function usageDeltas(facts: readonly InterceptionFacts[], bucketOf: (time: Date) => string): UsageDelta[] {
  const rows = new Map<string, UsageDelta>();
  for (const fact of facts) {
    const bucket = bucketOf(fact.startedAt);
    const key = [bucket, fact.initiatorId, fact.provider, fact.providerName, fact.model, fact.client].join(
      '\u0000',
    );
    let row = rows.get(key);
    if (!row) {
      row = { bucket, fact, count: 0, failed: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
      rows.set(key, row);
    }
    row.count += 1;
    if (fact.failed) row.failed += 1;
    row.input += fact.usage.inputTokens;
    row.output += fact.usage.outputTokens;
    row.cacheRead += fact.usage.cacheReadInputTokens;
    row.cacheWrite += fact.usage.cacheWriteInputTokens;
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** The unnest arguments of usage deltas after their bucket: dimensions, then the sums. */
function usageColumns(rows: readonly UsageDelta[]) {
  const column = <T>(read: (row: UsageDelta) => T) => rows.map(read);
  return sql`
    ${column((row) => row.fact.initiatorId)}::uuid[], ${column((row) => row.fact.provider)}::text[],
    ${column((row) => row.fact.providerName)}::text[], ${column((row) => row.fact.model)}::text[],
    ${column((row) => row.fact.client)}::text[], ${column((row) => row.count)}::bigint[],
    ${column((row) => row.failed)}::bigint[], ${column((row) => row.input)}::bigint[],
    ${column((row) => row.output)}::bigint[], ${column((row) => row.cacheRead)}::bigint[],
    ${column((row) => row.cacheWrite)}::bigint[]`;
}

const usageUpdates = (alias: string) =>
  sql.raw(`interceptions = ${alias}.interceptions + excluded.interceptions,
      failed = ${alias}.failed + excluded.failed,
      input_tokens = ${alias}.input_tokens + excluded.input_tokens,
      output_tokens = ${alias}.output_tokens + excluded.output_tokens,
      cache_read_input_tokens = ${alias}.cache_read_input_tokens + excluded.cache_read_input_tokens,
      cache_write_input_tokens = ${alias}.cache_write_input_tokens + excluded.cache_write_input_tokens`);

/**
 * Ended interceptions per UTC day and dimension (with failures and token sums, migration 0008), the same
 * over all time (migration 0003), and per UTC hour (migration 0008).
 */
function countStatements(facts: readonly InterceptionFacts[]): RawBuilder<unknown>[] {
  const days = usageDeltas(facts, (time) => time.toISOString().slice(0, 10));
  const hours = usageDeltas(facts, (time) => `${time.toISOString().slice(0, 13)}:00:00Z`);
  const perDay = sql`
    INSERT INTO aibridge_interception_counts AS c (day, initiator_id, provider, provider_name, model, client,
      interceptions, failed, input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens)
    SELECT * FROM unnest(${days.map((row) => row.bucket)}::date[], ${usageColumns(days)})
    ON CONFLICT (day, initiator_id, provider, provider_name, model, client) DO UPDATE SET ${usageUpdates('c')}`;
  // Several days of one dimension fold into one total row: summed first, as one row may be upserted once.
  const total = sql`
    INSERT INTO aibridge_interception_totals AS t (initiator_id, provider, provider_name, model, client, interceptions)
    SELECT initiator_id, provider, provider_name, model, client, sum(n)
    FROM unnest(${usageColumns(days)})
      AS u (initiator_id, provider, provider_name, model, client, n, failed, input, output, cache_read, cache_write)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (initiator_id, provider, provider_name, model, client)
      DO UPDATE SET interceptions = t.interceptions + excluded.interceptions`;
  const perHour = sql`
    INSERT INTO aibridge_usage_hourly AS h (hour, initiator_id, provider, provider_name, model, client,
      interceptions, failed, input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens)
    SELECT * FROM unnest(${hours.map((row) => row.bucket)}::timestamptz[], ${usageColumns(hours)})
    ON CONFLICT (hour, initiator_id, provider, provider_name, model, client) DO UPDATE SET ${usageUpdates('h')}`;
  return [perDay, total, usageByDimension(hours), perHour];
}

/** The dimensions of `aibridge_usage_by_dimension` and each one's key in a fact. */
const usageDimensions: Record<string, (fact: InterceptionFacts) => string> = {
  all: () => '',
  user: (fact) => fact.initiatorId,
  model: (fact) => fact.model,
  client: (fact) => fact.client,
  provider: (fact) => fact.provider,
  provider_name: (fact) => fact.providerName,
};

/** The UTC week (from Monday) of a time, as `date_trunc('week', …)` gives it. */
function weekOf(time: Date): string {
  const day = Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate());
  const sinceMonday = (time.getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * 86_400_000).toISOString();
}

/**
 * Per hour, day (migration 0008), week and month (migration 0010), one dimension at a time. Folded from
 * the batch's hourly sums (every dimension of one hour: usually a few rows) rather than from each fact:
 * 24 rows per fact made this the writer's costliest JavaScript (~7 ms of a 300-interception batch).
 */
function usageByDimension(hours: readonly UsageDelta[]): RawBuilder<unknown> {
  const rows = new Map<
    string,
    { granularity: string; dimension: string; bucket: string; key: string; sums: number[] }
  >();
  for (const hour of hours) {
    const { fact } = hour;
    const start = new Date(hour.bucket);
    const buckets = {
      hour: hour.bucket,
      day: `${hour.bucket.slice(0, 10)}T00:00:00Z`,
      week: weekOf(start),
      month: `${hour.bucket.slice(0, 7)}-01T00:00:00Z`,
    };
    const amounts = [hour.count, hour.failed, hour.input, hour.output, hour.cacheRead, hour.cacheWrite];
    for (const [granularity, bucket] of Object.entries(buckets)) {
      for (const [dimension, keyOf] of Object.entries(usageDimensions)) {
        const key = keyOf(fact);
        const id = `${granularity}\u0000${dimension}\u0000${bucket}\u0000${key}`;
        const row = rows.get(id);
        if (row) for (let index = 0; index < amounts.length; index += 1) row.sums[index]! += amounts[index]!;
        else rows.set(id, { granularity, dimension, bucket, key, sums: [...amounts] });
      }
    }
  }
  // Key order, for the same lock-ordering reason as the other rollups.
  const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  const column = <T>(read: (row: (typeof sorted)[number]) => T) => sorted.map(read);
  const sum = (index: number) => column((row) => row.sums[index] ?? 0);
  return sql`
    INSERT INTO aibridge_usage_by_dimension AS d (granularity, dimension, bucket, key, interceptions, failed,
      input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens)
    SELECT * FROM unnest(${column((row) => row.granularity)}::text[], ${column((row) => row.dimension)}::text[],
      ${column((row) => row.bucket)}::timestamptz[], ${column((row) => row.key)}::text[], ${sum(0)}::bigint[],
      ${sum(1)}::bigint[], ${sum(2)}::bigint[], ${sum(3)}::bigint[], ${sum(4)}::bigint[], ${sum(5)}::bigint[])
    ON CONFLICT (granularity, dimension, bucket, key) DO UPDATE SET ${usageUpdates('d')}`;
}
