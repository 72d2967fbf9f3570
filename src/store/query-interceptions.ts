/**
 * The interceptions list of the query API: ended interceptions, newest first, with their token usages,
 * prompts and tool usages, one statement per page.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { errorTypes } from '../core/error-types.js';
import type { JsonObject } from '../core/records.js';
import * as json from './json-text.js';
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

/** A tool call as `toolCallWire` writes it (the threads read it parsed). */
export interface ToolCallJson {
  id: string;
  interception_id: string;
  provider_response_id: string;
  tool: string;
  input: string;
  injected: boolean;
  server_url: string | null;
  metadata: JsonObject;
  created_at: string;
}

export interface InterceptionsPageQuery {
  visibleTo: Visibility;
  filter: RecordFilter;
  limit: number;
  offset: number;
  /** Keyset cursor: the page starts after this interception (which must exist; see `interceptionIsVisible`). */
  afterId: string | null;
  /** Only this interception (one interception's detail). */
  id?: string;
}

/** Each filter field as a condition on the interceptions table alias `i`. */
const interceptionFilters: FilterConditions = {
  initiatorId: (id) => sql`i.initiator_id = ${id}`,
  provider: (provider) => sql`i.provider = ${provider}`,
  providerName: (name) => sql`i.provider_name = ${name}`,
  model: (model) => sql`i.model = ${model}`,
  client: (client) => sql`i.client = ${client}`,
  credentialKind: (kind) => sql`i.credential_kind = ${kind}`,
  sessionId: (key) => sql`i.session_key = ${key}`,
  errorType: (type) => sql`i.error_type = ${type}`,
  hasError: (failed) => (failed ? sql`i.error_type IS NOT NULL` : sql`i.error_type IS NULL`),
  startedAfter: (time) => sql`i.started_at >= ${timestamp(time)}`,
  startedBefore: (time) => sql`i.started_at < ${timestamp(time)}`,
};

/** Conditions of a filtered, visible interception list on the table alias `i`. */
export function interceptionConditions(filter: RecordFilter, visibleTo: Visibility): RawBuilder<unknown>[] {
  return [
    sql`i.ended_at IS NOT NULL`,
    ...visibilityConditions('i', visibleTo),
    ...filterConditions(filter, interceptionFilters),
  ];
}

/** Whether an ended interception with this id exists and the caller may see it (cursor validation). */
export async function interceptionIsVisible(
  db: Kysely<Database>,
  id: string,
  visibleTo: Visibility,
): Promise<boolean> {
  const conditions = [
    sql`i.id = ${id}`,
    sql`i.ended_at IS NOT NULL`,
    ...visibilityConditions('i', visibleTo),
  ];
  const result = await sql`SELECT 1 FROM aibridge_interceptions i WHERE ${allOf(conditions)}`.execute(db);
  return result.rows.length > 0;
}

/** The initiator as the wire shows it, from the users table alias `u`. */
export const minimalUserWire = wire.object({
  id: wire.uuid(sql`u.id`),
  username: wire.text(sql`u.username`),
  name: wire.text(sql`u.name`),
  avatar_url: wire.uri(sql`u.avatar_url`),
});

/** A token usage, from the token usages table alias `t`. */
export const tokenUsageWire = wire.object({
  id: wire.uuid(sql`t.id`),
  interception_id: wire.uuid(sql`t.interception_id`),
  provider_response_id: wire.text(sql`t.provider_response_id`),
  input_tokens: wire.integer(sql`t.input_tokens`),
  output_tokens: wire.integer(sql`t.output_tokens`),
  cache_read_input_tokens: wire.integer(sql`t.cache_read_input_tokens`),
  cache_write_input_tokens: wire.integer(sql`t.cache_write_input_tokens`),
  metadata: wire.metadata(sql`t.metadata`),
  created_at: wire.time(sql`t.created_at`),
});

/** A user prompt, from the user prompts table alias `q`. */
export const userPromptWire = wire.object({
  id: wire.uuid(sql`q.id`),
  interception_id: wire.uuid(sql`q.interception_id`),
  provider_response_id: wire.text(sql`q.provider_response_id`),
  prompt: wire.text(sql`q.prompt`),
  metadata: wire.metadata(sql`q.metadata`),
  created_at: wire.time(sql`q.created_at`),
});

/** A tool usage's fields, from the tool usages table alias `x`: the one definition of the tool-call shape. */
const toolUsageFields = {
  id: wire.uuid(sql`x.id`),
  interception_id: wire.uuid(sql`x.interception_id`),
  provider_response_id: wire.text(sql`x.provider_response_id`),
  tool: wire.text(sql`x.tool`),
  input: wire.text(sql`x.input`),
  injected: wire.boolean(sql`x.injected`),
  server_url: wire.nullableText(sql`x.server_url`),
  metadata: wire.metadata(sql`x.metadata`),
  created_at: wire.time(sql`x.created_at`),
  invocation_error: wire.nullableText(sql`x.invocation_error`),
};

/** A tool usage of the interceptions list. */
export const toolUsageWire = wire.object(toolUsageFields);

/** A tool call inside a thread's agentic action: a tool usage without `invocation_error`, as the seed shows it. */
export const toolCallWire = wire.object(wire.without(toolUsageFields, 'invocation_error'));

/** The tool usages of the interception whose id is `interceptionId`, oldest first, as JSON text. */
export function toolUsagesOf(element: wire.WireField, interceptionId: RawBuilder<unknown>): wire.WireField {
  return wire.array(element, {
    order: sql`x.created_at, x.id`,
    from: (aggregate) =>
      sql`(SELECT ${aggregate} FROM aibridge_tool_usages x WHERE x.interception_id = ${interceptionId})`,
  });
}

/**
 * How an interception ended, from an interceptions table alias: its failure class (null for a success),
 * the recorded error and the provider's HTTP status (null when none was received). Threads show the
 * same fields.
 */
export function errorWireFields(alias: string) {
  return {
    error_type: wire.nullableEnum(errorTypes)(sql.ref(`${alias}.error_type`)),
    error_message: wire.nullableText(sql.ref(`${alias}.error`)),
    upstream_status: wire.nullableInteger(sql.ref(`${alias}.upstream_status`)),
  };
}

/**
 * An interception of the list, from the page alias `p` joined with its initiator `u`: the `interception`
 * schema of the API is this list's schema.
 */
export const interceptionWire = wire.object({
  id: wire.uuid(sql`p.id`),
  api_key_id: wire.nullableText(sql`p.api_key_id`),
  initiator: minimalUserWire,
  provider: wire.text(sql`p.provider`),
  provider_name: wire.text(sql`p.provider_name`),
  model: wire.text(sql`p.model`),
  client: wire.text(sql`p.client`),
  metadata: wire.metadata(sql`p.metadata`),
  started_at: wire.time(sql`p.started_at`),
  ended_at: wire.time(sql`p.ended_at`),
  ...errorWireFields('p'),
  token_usages: wire.array(tokenUsageWire, {
    order: sql`t.created_at, t.id`,
    from: (aggregate) =>
      sql`(SELECT ${aggregate} FROM aibridge_token_usages t WHERE t.interception_id = p.id)`,
  }),
  user_prompts: wire.array(userPromptWire, {
    order: sql`q.created_at, q.id`,
    from: (aggregate) =>
      sql`(SELECT ${aggregate} FROM aibridge_user_prompts q WHERE q.interception_id = p.id)`,
  }),
  tool_usages: toolUsagesOf(toolUsageWire, sql`p.id`),
});

/**
 * One page of ended interceptions, `started_at DESC, id DESC`, as the JSON text of the API's `results`
 * array: `interceptionWire`, keys in its order, children oldest first, `[]` for none. The database builds
 * the text so that the route sends it as it comes, instead of parsing ~1 KiB of JSON per interception in
 * the driver and serializing it again (see json-text.ts). The cursor row is read inside the statement so
 * its start time keeps the database's full precision.
 */
export async function listInterceptionsJson(
  db: Kysely<Database>,
  query: InterceptionsPageQuery,
): Promise<string> {
  const result = await sql<{ results: string }>`SELECT ${interceptionsPageJson(query)} AS results`.execute(
    db,
  );
  return result.rows[0]?.results ?? '[]';
}

/** The page of `listInterceptionsJson` as a scalar subquery, to read in one statement with its count. */
export function interceptionsPageJson(query: InterceptionsPageQuery): RawBuilder<string> {
  const conditions = interceptionConditions(query.filter, query.visibleTo);
  if (query.id !== undefined) conditions.push(sql`i.id = ${query.id}`);
  if (query.afterId !== null) {
    conditions.push(
      sql`(i.started_at, i.id) < (SELECT c.started_at, c.id FROM aibridge_interceptions c WHERE c.id = ${query.afterId})`,
    );
  }
  if (query.offset > 0) {
    // The page starts at the key of the offset-th match, found in the index alone (index-only when no filter
    // needs the row): the same rows as OFFSET, without reading every skipped row from the table (10,000
    // skipped: ~5 ms). No such match: the key is NULL and the page empty, as OFFSET past the end.
    conditions.push(
      sql`(i.started_at, i.id) <= (SELECT i.started_at, i.id FROM aibridge_interceptions i
        WHERE ${allOf(interceptionConditions(query.filter, query.visibleTo))}
        ORDER BY i.started_at DESC, i.id DESC OFFSET ${query.offset} LIMIT 1)`,
    );
  }
  return sql<string>`(
    SELECT ${json.arrayAggregate(interceptionWire.sql, sql`p.started_at DESC, p.id DESC`)}
    FROM (
      SELECT i.* FROM aibridge_interceptions i WHERE ${allOf(conditions)}
      ORDER BY i.started_at DESC, i.id DESC LIMIT ${query.limit}
    ) p
    JOIN users u ON u.id = p.initiator_id)`;
}
