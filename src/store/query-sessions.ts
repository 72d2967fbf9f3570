/**
 * The sessions list of the query API, read from the `aibridge_sessions` rollup (one row per initiator and
 * session key, maintained when interceptions end), so a page and its count never aggregate interceptions.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { JsonObject } from '../core/records.js';
import * as json from './json-text.js';
import { minimalUserWire } from './query-interceptions.js';
import * as wire from './query-wire-fields.js';
import {
  allOf,
  type FilterConditions,
  filterConditions,
  type RecordFilter,
  timestamp,
  type Visibility,
  visibilityConditions,
} from './record-filter.js';
import type { Database } from './schema.js';

/** A session's fields, from the sessions rollup alias `s` joined with its initiator `u`. */
const sessionFields = {
  id: wire.describe(
    wire.text(sql`s.session_key`),
    'The session key: client session id, else thread root id.',
  ),
  initiator: minimalUserWire,
  providers: wire.strings(sql`s.providers`),
  models: wire.strings(sql`s.models`),
  client: wire.text(sql`s.client`),
  metadata: wire.metadata(sql`s.metadata`),
  started_at: wire.time(sql`s.started_at`),
  ended_at: wire.time(sql`s.ended_at`),
  threads: wire.integer(sql`s.threads`),
  errors: wire.describe(
    wire.integer(sql`s.errors`),
    'Failed interceptions of the session (those with an error_type).',
  ),
  last_prompt: wire.nullableText(sql`s.last_prompt`),
  last_active_at: wire.time(sql`s.last_active_at`),
  token_usage_summary: wire.object({
    input_tokens: wire.integer(sql`s.input_tokens`),
    output_tokens: wire.integer(sql`s.output_tokens`),
    cache_read_input_tokens: wire.integer(sql`s.cache_read_input_tokens`),
    cache_write_input_tokens: wire.integer(sql`s.cache_write_input_tokens`),
  }),
};

/** A session of the sessions list. */
export const sessionWire = wire.object(sessionFields);

/** The fields of a session that head its threads page (the page adds its own, and summed metadata). */
export const sessionHeaderWire = wire.object(
  wire.without(sessionFields, 'threads', 'last_prompt', 'last_active_at', 'token_usage_summary'),
);

/** A session's header as `sessionHeaderWire` writes it. */
export interface SessionHeaderJson {
  id: string;
  initiator: { id: string; username: string; name: string; avatar_url: string };
  providers: string[];
  models: string[];
  client: string;
  metadata: JsonObject;
  started_at: string;
  ended_at: string;
}

/** Token sums without metadata. */
export interface TokenSums {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}

/** A session found by `findSession`: its key, its header, and its usage with metadata summed by dotted key. */
export interface SessionDetail {
  key: SessionKey;
  header: SessionHeaderJson;
  tokenUsageSummary: TokenSums;
  tokenMetadata: Record<string, number>;
}

/** A session's identity: sessions are keyed by initiator and session key. */
export interface SessionKey {
  initiatorId: string;
  sessionKey: string;
}

export interface SessionsPageQuery {
  visibleTo: Visibility;
  filter: RecordFilter;
  limit: number;
  offset: number;
  /** Keyset cursor, resolved with `findSessionCursor`. */
  after: SessionKey | null;
}

/** Each filter field as a condition on the sessions rollup alias `s`. */
const sessionFilters: FilterConditions = {
  initiatorId: (id) => sql`s.initiator_id = ${id}`,
  // Array containment (`@>`) rather than `= ANY` so a GIN index on the arrays can serve it.
  provider: (provider) => sql`s.providers @> ARRAY[${provider}]::text[]`,
  providerName: (name) => sql`s.provider_names @> ARRAY[${name}]::text[]`,
  model: (model) => sql`s.models @> ARRAY[${model}]::text[]`,
  client: (client) => sql`s.client = ${client}`,
  // The rollup does not hold credential kinds: a session matches when one of its interceptions used the
  // kind, found through the interceptions' session index.
  credentialKind: (kind) => sessionHasInterception(sql`i.credential_kind = ${kind}`),
  sessionId: (key) => sql`s.session_key = ${key}`,
  errorType: (type) => sessionHasInterception(sql`i.error_type = ${type}`),
  hasError: (failed) => {
    const anyFailed = sessionHasInterception(sql`i.error_type IS NOT NULL`);
    return failed ? anyFailed : sql`NOT ${anyFailed}`;
  },
  startedAfter: (time) => sql`s.started_at >= ${timestamp(time)}`,
  startedBefore: (time) => sql`s.started_at < ${timestamp(time)}`,
};

/** Whether the session `s` has an ended interception `i` meeting `condition`. */
function sessionHasInterception(condition: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`EXISTS (SELECT 1 FROM aibridge_interceptions i WHERE i.session_key = s.session_key
    AND i.initiator_id = s.initiator_id AND i.ended_at IS NOT NULL AND ${condition})`;
}

function sessionConditions(filter: RecordFilter, visibleTo: Visibility): RawBuilder<unknown>[] {
  return [...visibilityConditions('s', visibleTo), ...filterConditions(filter, sessionFilters)];
}

/**
 * Resolves an `after_session_id` to a visible session. A session key shared by two initiators (two users
 * reusing one client session id) is ambiguous: the filtered initiator wins, else the one listed first, so
 * a page may repeat a session but never skips one.
 */
export async function findSessionCursor(
  db: Kysely<Database>,
  options: { sessionKey: string; visibleTo: Visibility; initiatorId: string | undefined },
): Promise<SessionKey | null> {
  const conditions = [
    sql`s.session_key = ${options.sessionKey}`,
    ...visibilityConditions('s', options.visibleTo),
  ];
  const order = [sql`s.last_active_at DESC`, sql`s.initiator_id`];
  if (options.initiatorId !== undefined) order.unshift(sql`s.initiator_id <> ${options.initiatorId}`);
  const result = await sql<SessionKey>`
    SELECT s.initiator_id AS "initiatorId", s.session_key AS "sessionKey" FROM aibridge_sessions s
    WHERE ${allOf(conditions)}
    ORDER BY ${sql.join(order)} LIMIT 1`.execute(db);
  return result.rows[0] ?? null;
}

/**
 * One page of sessions, `last_active_at DESC, session_key DESC, initiator_id ASC` (the order of the
 * rollup's index, so the page is an index scan that stops after `limit` rows), as the JSON text of the
 * API's `sessions` array (`sessionWire`), as a scalar subquery (see `readSessionsPage`).
 */
function sessionsPageJson(query: SessionsPageQuery): RawBuilder<string> {
  const conditions = sessionConditions(query.filter, query.visibleTo);
  if (query.after !== null) {
    const cursor = sql`(SELECT c.last_active_at, c.session_key FROM aibridge_sessions c
      WHERE c.initiator_id = ${query.after.initiatorId} AND c.session_key = ${query.after.sessionKey})`;
    // Mixed sort directions cannot be one row comparison: the bound on the two DESC columns serves the
    // index, the initiator only breaks exact ties.
    conditions.push(sql`(s.last_active_at, s.session_key) <= ${cursor}`);
    conditions.push(
      sql`((s.last_active_at, s.session_key) < ${cursor} OR s.initiator_id > ${query.after.initiatorId})`,
    );
  }
  const order = sql`s.last_active_at DESC, s.session_key DESC, s.initiator_id`;
  return sql<string>`(
    SELECT ${json.arrayAggregate(sessionWire.sql, order)}
    FROM (
      SELECT s.* FROM aibridge_sessions s WHERE ${allOf(conditions)}
      ORDER BY ${order} LIMIT ${query.limit} OFFSET ${query.offset}
    ) s
    JOIN users u ON u.id = s.initiator_id)`;
}

/**
 * The number of visible sessions matching `filter`. A filter on the model alone (with an initiator or the
 * caller's visibility at most) counts the rows of `aibridge_session_models` (migration 0005), an
 * index-only scan; any other filter counts the rollup rows through its indexes.
 */
export async function countSessions(
  db: Kysely<Database>,
  options: { filter: RecordFilter; visibleTo: Visibility },
): Promise<number> {
  const result = await sql<{
    count: string | number;
  }>`SELECT ${countSessionsQuery(options)} AS count`.execute(db);
  return Number(result.rows[0]?.count ?? 0);
}

/** The count of `countSessions` as a scalar subquery. */
function countSessionsQuery(options: { filter: RecordFilter; visibleTo: Visibility }): RawBuilder<number> {
  const { filter, visibleTo } = options;
  const { model, initiatorId, ...others } = filter;
  const byModelOnly = model !== undefined && Object.values(others).every((value) => value === undefined);
  return byModelOnly
    ? sql<number>`(SELECT count(*) FROM aibridge_session_models s WHERE ${allOf([
        sql`s.model = ${model}`,
        ...visibilityConditions('s', visibleTo),
        ...(initiatorId === undefined ? [] : [sql`s.initiator_id = ${initiatorId}`]),
      ])})`
    : sql<number>`(SELECT count(*) FROM aibridge_sessions s WHERE ${allOf(sessionConditions(filter, visibleTo))})`;
}

/**
 * A page of `listSessionsJson` and the count of `countSessions`, read in one statement so that both see
 * the same snapshot of the database (rows committed meanwhile are in neither or in both).
 */
export async function readSessionsPage(
  db: Kysely<Database>,
  query: SessionsPageQuery,
): Promise<{ count: number; sessionsJson: string }> {
  const result = await sql<{ count: string | number; sessions: string | null }>`
    SELECT ${countSessionsQuery(query)} AS count, ${sessionsPageJson(query)} AS sessions`.execute(db);
  const row = result.rows[0];
  return { count: Number(row?.count ?? 0), sessionsJson: row?.sessions ?? '[]' };
}

/** A page of sessions alone, as the JSON text of the API's `sessions` array (no count: for exports). */
export async function listSessionsJson(db: Kysely<Database>, query: SessionsPageQuery): Promise<string> {
  const result = await sql<{
    sessions: string | null;
  }>`SELECT ${sessionsPageJson(query)} AS sessions`.execute(db);
  return result.rows[0]?.sessions ?? '[]';
}

/**
 * The visible session `sessionId` names: a session key (the most recently active one if two initiators
 * share it), else the session of the ended interception with that id.
 */
export async function findSession(
  db: Kysely<Database>,
  options: { sessionId: string; visibleTo: Visibility; sessionIdIsUuid: boolean },
): Promise<SessionDetail | null> {
  const visible = visibilityConditions('s', options.visibleTo);
  const columns = sql`(${sessionHeaderWire.sql})::json AS header,
    s.initiator_id AS "initiatorId", s.session_key AS "sessionKey",
    json_build_object('inputTokens', s.input_tokens, 'outputTokens', s.output_tokens,
      'cacheReadInputTokens', s.cache_read_input_tokens, 'cacheWriteInputTokens', s.cache_write_input_tokens
    ) AS "tokenUsageSummary", s.token_metadata AS "tokenMetadata"`;
  type Row = Omit<SessionDetail, 'key'> & SessionKey;
  const byKey = await sql<Row>`
    SELECT ${columns} FROM aibridge_sessions s JOIN users u ON u.id = s.initiator_id
    WHERE ${allOf([sql`s.session_key = ${options.sessionId}`, ...visible])}
    ORDER BY s.last_active_at DESC, s.initiator_id LIMIT 1`.execute(db);
  let row = byKey.rows[0];
  if (!row && options.sessionIdIsUuid) {
    const byInterception = await sql<Row>`
      SELECT ${columns} FROM aibridge_interceptions i
      JOIN aibridge_sessions s ON s.initiator_id = i.initiator_id AND s.session_key = i.session_key
      JOIN users u ON u.id = s.initiator_id
      WHERE ${allOf([sql`i.id = ${options.sessionId}`, sql`i.ended_at IS NOT NULL`, ...visible])}`.execute(
      db,
    );
    row = byInterception.rows[0];
  }
  if (!row) return null;
  const { initiatorId, sessionKey, ...detail } = row;
  return { key: { initiatorId, sessionKey }, ...detail };
}
