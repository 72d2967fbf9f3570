/**
 * JSON Schemas of the query API's responses, named after Coder's `codersdk` types so the OpenAPI document
 * reads like the seed. Fastify serializes every response through them (fast, and no stray key can leak),
 * and `openapi.ts` turns them into the OpenAPI 3.1 document. Every property is required: keys are always
 * present, absent values are `null` or `[]`.
 */

import {
  errorWireFields,
  interceptionWire,
  minimalUserWire,
  tokenUsageWire,
  toolCallWire,
  toolUsageWire,
  userPromptWire,
} from '../../store/query-interceptions.js';
import { sessionHeaderWire, sessionWire } from '../../store/query-sessions.js';
import type { JsonSchema } from '../../store/query-wire-fields.js';

export type { JsonSchema };

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
/** Numeric metadata leaves summed, nested keys joined by dots. */
const summedMetadata: JsonSchema = { type: 'object', additionalProperties: { type: 'number' } };

/** The shapes the database writes as JSON text are declared by their field lists in the store. */
export const minimalUser: JsonSchema = minimalUserWire.schema;
export const tokenUsage: JsonSchema = tokenUsageWire.schema;
export const userPrompt: JsonSchema = userPromptWire.schema;
export const toolUsage: JsonSchema = toolUsageWire.schema;
/** A tool call inside an agentic action: the seed lists it without `invocation_error`. */
export const toolCall: JsonSchema = toolCallWire.schema;
export const interception: JsonSchema = interceptionWire.schema;
/** The outcome fields of an interception, which a thread shows for its last interception. */
const errorSchemas = Object.fromEntries(
  Object.entries(errorWireFields('i')).map(([key, field]) => [key, field.schema]),
);

export const listInterceptionsResponse = object({
  count: { type: 'integer', description: 'Number of interceptions matching the query, ignoring paging.' },
  results: { type: 'array', items: interception },
});

export const session: JsonSchema = sessionWire.schema;
export const sessionTokenUsageSummary: JsonSchema = session.properties!.token_usage_summary!;

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
  ...errorSchemas,
  agentic_actions: { type: 'array', items: agenticAction },
});

export const sessionThreadsResponse = object({
  ...sessionHeaderWire.schema.properties,
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
