/**
 * JSON Schemas of the query API's responses, named after Coder's `codersdk` types so the OpenAPI document
 * reads like the seed. Fastify serializes every response through them (fast, and no stray key can leak),
 * and `openapi.ts` turns them into the OpenAPI 3.1 document. Every property is required: keys are always
 * present, absent values are `null` or `[]`.
 */

/** The subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) these schemas need. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | ['string', 'null'];
  format?: 'uuid' | 'date-time' | 'uri';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  $ref?: string;
}

function object(properties: Record<string, JsonSchema>, description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
}

const string: JsonSchema = { type: 'string' };
const nullableString: JsonSchema = { type: ['string', 'null'] };
const integer: JsonSchema = { type: 'integer' };
const uuid: JsonSchema = { type: 'string', format: 'uuid' };
const time: JsonSchema = { type: 'string', format: 'date-time' };
const nullableTime: JsonSchema = { type: ['string', 'null'], format: 'date-time' };
const strings: JsonSchema = { type: 'array', items: string };
/** Free-form metadata, as recorded. */
const metadata: JsonSchema = { type: 'object', additionalProperties: true };
/** Numeric metadata leaves summed, nested keys joined by dots. */
const summedMetadata: JsonSchema = { type: 'object', additionalProperties: { type: 'number' } };

export const minimalUser = object({
  id: uuid,
  username: string,
  name: string,
  avatar_url: { type: 'string', format: 'uri' },
});

export const tokenUsage = object({
  id: uuid,
  interception_id: uuid,
  provider_response_id: string,
  input_tokens: integer,
  output_tokens: integer,
  cache_read_input_tokens: integer,
  cache_write_input_tokens: integer,
  metadata,
  created_at: time,
});

export const userPrompt = object({
  id: uuid,
  interception_id: uuid,
  provider_response_id: string,
  prompt: string,
  metadata,
  created_at: time,
});

const toolUsageProperties = {
  id: uuid,
  interception_id: uuid,
  provider_response_id: string,
  tool: string,
  input: string,
  injected: { type: 'boolean' },
  server_url: nullableString,
  metadata,
  created_at: time,
} satisfies Record<string, JsonSchema>;

export const toolUsage = object({ ...toolUsageProperties, invocation_error: nullableString });

/** A tool call inside an agentic action: the seed lists it without `invocation_error`. */
export const toolCall = object(toolUsageProperties);

export const interception = object({
  id: uuid,
  api_key_id: nullableString,
  initiator: minimalUser,
  provider: string,
  provider_name: string,
  model: string,
  client: string,
  metadata,
  started_at: time,
  ended_at: time,
  token_usages: { type: 'array', items: tokenUsage },
  user_prompts: { type: 'array', items: userPrompt },
  tool_usages: { type: 'array', items: toolUsage },
});

export const listInterceptionsResponse = object({
  count: { type: 'integer', description: 'Number of interceptions matching the query, ignoring paging.' },
  results: { type: 'array', items: interception },
});

export const sessionTokenUsageSummary = object({
  input_tokens: integer,
  output_tokens: integer,
  cache_read_input_tokens: integer,
  cache_write_input_tokens: integer,
});

export const session = object({
  id: { type: 'string', description: 'The session key: client session id, else thread root id.' },
  initiator: minimalUser,
  providers: strings,
  models: strings,
  client: string,
  metadata,
  started_at: time,
  ended_at: time,
  threads: integer,
  last_prompt: nullableString,
  last_active_at: time,
  token_usage_summary: sessionTokenUsageSummary,
});

export const listSessionsResponse = object({
  count: { type: 'integer', description: 'Number of sessions matching the query, ignoring paging.' },
  sessions: { type: 'array', items: session },
});

export const tokenUsageWithMetadata = object({
  input_tokens: integer,
  output_tokens: integer,
  cache_read_input_tokens: integer,
  cache_write_input_tokens: integer,
  metadata: summedMetadata,
});

export const thinking = object({ text: string });

export const agenticAction = object({
  model: string,
  thinking: { type: 'array', items: thinking },
  token_usage: tokenUsageWithMetadata,
  tool_calls: { type: 'array', items: toolCall },
});

export const thread = object({
  id: uuid,
  prompt: nullableString,
  model: string,
  provider: string,
  credential_kind: string,
  credential_hint: string,
  started_at: time,
  ended_at: time,
  token_usage: tokenUsageWithMetadata,
  agentic_actions: { type: 'array', items: agenticAction },
});

export const sessionThreadsResponse = object({
  id: string,
  initiator: minimalUser,
  providers: strings,
  models: strings,
  client: string,
  metadata,
  started_at: time,
  ended_at: time,
  page_started_at: nullableTime,
  page_ended_at: nullableTime,
  threads: { type: 'array', items: thread },
  token_usage_summary: tokenUsageWithMetadata,
});

export const stringList: JsonSchema = strings;

/** Named schemas for the OpenAPI components section, by Coder's type names. */
export const namedSchemas: Record<string, JsonSchema> = {
  'codersdk.MinimalUser': minimalUser,
  'codersdk.AIBridgeTokenUsage': tokenUsage,
  'codersdk.AIBridgeUserPrompt': userPrompt,
  'codersdk.AIBridgeToolUsage': toolUsage,
  'codersdk.AIBridgeToolCall': toolCall,
  'codersdk.AIBridgeInterception': interception,
  'codersdk.AIBridgeListInterceptionsResponse': listInterceptionsResponse,
  'codersdk.AIBridgeSessionTokenUsageSummary': sessionTokenUsageSummary,
  'codersdk.AIBridgeSession': session,
  'codersdk.AIBridgeListSessionsResponse': listSessionsResponse,
  'codersdk.AIBridgeTokenUsageWithMetadata': tokenUsageWithMetadata,
  'codersdk.AIBridgeThinking': thinking,
  'codersdk.AIBridgeAgenticAction': agenticAction,
  'codersdk.AIBridgeThread': thread,
  'codersdk.AIBridgeSessionThreadsResponse': sessionThreadsResponse,
};
