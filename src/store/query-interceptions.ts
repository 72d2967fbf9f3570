/**
 * The interceptions list of the query API: ended interceptions, newest first, with their token usages,
 * prompts and tool usages, one statement per page.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { JsonObject } from '../core/records.js';
import * as json from './json-text.js';
import {
  allOf,
  type RecordFilter,
  timestamp,
  type Visibility,
  visibilityConditions,
} from './record-filter.js';
import type { Database } from './schema.js';

/** The initiator as the API shows it. */
export interface MinimalUser {
  id: string;
  username: string;
  name: string;
  avatarUrl: string;
}

export interface ToolUsageRow {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  tool: string;
  input: string;
  injected: boolean;
  serverUrl: string | null;
  invocationError: string | null;
  metadata: JsonObject;
  createdAt: string;
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

/** Conditions of a filtered, visible interception list on the table alias `i`. */
export function interceptionConditions(filter: RecordFilter, visibleTo: Visibility): RawBuilder<unknown>[] {
  const conditions = [sql`i.ended_at IS NOT NULL`, ...visibilityConditions('i', visibleTo)];
  if (filter.initiatorId !== undefined) conditions.push(sql`i.initiator_id = ${filter.initiatorId}`);
  if (filter.provider !== undefined) conditions.push(sql`i.provider = ${filter.provider}`);
  if (filter.providerName !== undefined) conditions.push(sql`i.provider_name = ${filter.providerName}`);
  if (filter.model !== undefined) conditions.push(sql`i.model = ${filter.model}`);
  if (filter.client !== undefined) conditions.push(sql`i.client = ${filter.client}`);
  if (filter.startedAfter !== undefined)
    conditions.push(sql`i.started_at >= ${timestamp(filter.startedAfter)}`);
  if (filter.startedBefore !== undefined)
    conditions.push(sql`i.started_at < ${timestamp(filter.startedBefore)}`);
  return conditions;
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

/**
 * One page of ended interceptions, `started_at DESC, id DESC`, as the JSON text of the API's `results`
 * array: the `interception` schema of src/api/aibridge/schemas.ts, its keys in its order, children oldest
 * first, `[]` for none. The database builds the text so that the route sends it as it comes, instead of
 * parsing ~1 KiB of JSON per interception in the driver and serializing it again (see json-text.ts). The
 * cursor row is read inside the statement so its start time keeps the database's full precision.
 */
export async function listInterceptionsJson(
  db: Kysely<Database>,
  query: InterceptionsPageQuery,
): Promise<string> {
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
  const tokenUsage = json.object({
    id: json.uuid(sql`t.id`),
    interception_id: json.uuid(sql`t.interception_id`),
    provider_response_id: json.text(sql`t.provider_response_id`),
    input_tokens: json.verbatim(sql`t.input_tokens`),
    output_tokens: json.verbatim(sql`t.output_tokens`),
    cache_read_input_tokens: json.verbatim(sql`t.cache_read_input_tokens`),
    cache_write_input_tokens: json.verbatim(sql`t.cache_write_input_tokens`),
    metadata: json.verbatim(sql`t.metadata`),
    created_at: json.time(sql`t.created_at`),
  });
  const userPrompt = json.object({
    id: json.uuid(sql`q.id`),
    interception_id: json.uuid(sql`q.interception_id`),
    provider_response_id: json.text(sql`q.provider_response_id`),
    prompt: json.text(sql`q.prompt`),
    metadata: json.verbatim(sql`q.metadata`),
    created_at: json.time(sql`q.created_at`),
  });
  const toolUsage = json.object({
    id: json.uuid(sql`x.id`),
    interception_id: json.uuid(sql`x.interception_id`),
    provider_response_id: json.text(sql`x.provider_response_id`),
    tool: json.text(sql`x.tool`),
    input: json.text(sql`x.input`),
    injected: json.verbatim(sql`x.injected`),
    server_url: json.nullableText(sql`x.server_url`),
    metadata: json.verbatim(sql`x.metadata`),
    created_at: json.time(sql`x.created_at`),
    invocation_error: json.nullableText(sql`x.invocation_error`),
  });
  const interception = json.object({
    id: json.uuid(sql`p.id`),
    api_key_id: json.nullableText(sql`p.api_key_id`),
    initiator: json.object({
      id: json.uuid(sql`u.id`),
      username: json.text(sql`u.username`),
      name: json.text(sql`u.name`),
      avatar_url: json.text(sql`u.avatar_url`),
    }),
    provider: json.text(sql`p.provider`),
    provider_name: json.text(sql`p.provider_name`),
    model: json.text(sql`p.model`),
    client: json.text(sql`p.client`),
    metadata: json.verbatim(sql`p.metadata`),
    started_at: json.time(sql`p.started_at`),
    ended_at: json.time(sql`p.ended_at`),
    token_usages: sql`(SELECT ${json.arrayAggregate(tokenUsage, sql`t.created_at, t.id`)}
      FROM aibridge_token_usages t WHERE t.interception_id = p.id)`,
    user_prompts: sql`(SELECT ${json.arrayAggregate(userPrompt, sql`q.created_at, q.id`)}
      FROM aibridge_user_prompts q WHERE q.interception_id = p.id)`,
    tool_usages: sql`(SELECT ${json.arrayAggregate(toolUsage, sql`x.created_at, x.id`)}
      FROM aibridge_tool_usages x WHERE x.interception_id = p.id)`,
  });
  const result = await sql<{ results: string }>`
    SELECT ${json.arrayAggregate(interception, sql`p.started_at DESC, p.id DESC`)} AS results
    FROM (
      SELECT i.* FROM aibridge_interceptions i WHERE ${allOf(conditions)}
      ORDER BY i.started_at DESC, i.id DESC LIMIT ${query.limit}
    ) p
    JOIN users u ON u.id = p.initiator_id`.execute(db);
  return result.rows[0]?.results ?? '[]';
}
