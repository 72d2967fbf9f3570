/**
 * The interceptions list of the query API: ended interceptions, newest first, with their token usages,
 * prompts and tool usages, one statement per page.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { JsonObject } from '../core/records.js';
import {
  allOf,
  type RecordFilter,
  timestamp,
  utcText,
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

export interface TokenUsageRow {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  metadata: JsonObject;
  createdAt: string;
}

export interface UserPromptRow {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  prompt: string;
  metadata: JsonObject;
  createdAt: string;
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

/** One ended interception with its children; times are RFC 3339 UTC text. */
export interface InterceptionRow {
  id: string;
  apiKeyId: string | null;
  initiator: MinimalUser;
  provider: string;
  providerName: string;
  model: string;
  client: string;
  metadata: JsonObject;
  startedAt: string;
  endedAt: string;
  tokenUsages: TokenUsageRow[];
  userPrompts: UserPromptRow[];
  toolUsages: ToolUsageRow[];
}

export interface InterceptionsPageQuery {
  visibleTo: Visibility;
  filter: RecordFilter;
  limit: number;
  offset: number;
  /** Keyset cursor: the page starts after this interception (which must exist; see `interceptionIsVisible`). */
  afterId: string | null;
}

/** Conditions of a filtered, visible interception list on the table alias `i`. */
export function interceptionConditions(filter: RecordFilter, visibleTo: Visibility): RawBuilder<unknown>[] {
  const conditions = [sql`i.ended_at IS NOT NULL`, ...visibilityConditions('i', visibleTo)];
  if (filter.initiatorId !== undefined) conditions.push(sql`i.initiator_id = ${filter.initiatorId}`);
  if (filter.provider !== undefined) conditions.push(sql`i.provider = ${filter.provider}`);
  if (filter.providerName !== undefined) conditions.push(sql`i.provider_name = ${filter.providerName}`);
  if (filter.model !== undefined) conditions.push(sql`i.model = ${filter.model}`);
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
 * One page of ended interceptions, `started_at DESC, id DESC`. The cursor row is read inside the statement
 * so its start time keeps the database's full precision.
 */
export async function listInterceptions(
  db: Kysely<Database>,
  query: InterceptionsPageQuery,
): Promise<InterceptionRow[]> {
  const conditions = interceptionConditions(query.filter, query.visibleTo);
  if (query.afterId !== null) {
    conditions.push(
      sql`(i.started_at, i.id) < (SELECT c.started_at, c.id FROM aibridge_interceptions c WHERE c.id = ${query.afterId})`,
    );
  }
  const result = await sql<InterceptionRow>`
    SELECT p.id, p.api_key_id AS "apiKeyId", p.provider, p.provider_name AS "providerName", p.model, p.client,
      p.metadata, ${utcText(sql`p.started_at`)} AS "startedAt", ${utcText(sql`p.ended_at`)} AS "endedAt",
      json_build_object('id', u.id, 'username', u.username, 'name', u.name, 'avatarUrl', u.avatar_url) AS initiator,
      coalesce((
        SELECT json_agg(json_build_object('id', t.id, 'interceptionId', t.interception_id,
          'providerResponseId', t.provider_response_id, 'inputTokens', t.input_tokens,
          'outputTokens', t.output_tokens, 'cacheReadInputTokens', t.cache_read_input_tokens,
          'cacheWriteInputTokens', t.cache_write_input_tokens, 'metadata', t.metadata,
          'createdAt', ${utcText(sql`t.created_at`)}) ORDER BY t.created_at, t.id)
        FROM aibridge_token_usages t WHERE t.interception_id = p.id), '[]') AS "tokenUsages",
      coalesce((
        SELECT json_agg(json_build_object('id', q.id, 'interceptionId', q.interception_id,
          'providerResponseId', q.provider_response_id, 'prompt', q.prompt, 'metadata', q.metadata,
          'createdAt', ${utcText(sql`q.created_at`)}) ORDER BY q.created_at, q.id)
        FROM aibridge_user_prompts q WHERE q.interception_id = p.id), '[]') AS "userPrompts",
      coalesce((
        SELECT json_agg(json_build_object('id', x.id, 'interceptionId', x.interception_id,
          'providerResponseId', x.provider_response_id, 'tool', x.tool, 'input', x.input,
          'injected', x.injected, 'serverUrl', x.server_url, 'invocationError', x.invocation_error,
          'metadata', x.metadata, 'createdAt', ${utcText(sql`x.created_at`)}) ORDER BY x.created_at, x.id)
        FROM aibridge_tool_usages x WHERE x.interception_id = p.id), '[]') AS "toolUsages"
    FROM (
      SELECT i.* FROM aibridge_interceptions i WHERE ${allOf(conditions)}
      ORDER BY i.started_at DESC, i.id DESC LIMIT ${query.limit} OFFSET ${query.offset}
    ) p
    JOIN users u ON u.id = p.initiator_id
    ORDER BY p.started_at DESC, p.id DESC`.execute(db);
  return result.rows;
}
