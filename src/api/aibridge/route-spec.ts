/** The description of a query route that both its registration and the OpenAPI document read. */
import type { JsonSchema } from './schemas.js';

export interface ParameterSpec {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'integer';
  required: boolean;
  description: string;
}

export interface QueryRouteSpec {
  /** OpenAPI path, e.g. `/api/v2/aibridge/sessions/{session_id}`. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  parameters: ParameterSpec[];
  /** The 200 response body. */
  response: JsonSchema;
}

/** The Fastify form of an OpenAPI path: `{name}` becomes `:name`. */
export function fastifyPath(spec: QueryRouteSpec): string {
  return spec.path.replace(/\{(\w+)\}/g, ':$1');
}

/** Route options that make Fastify serialize the 200 response through the spec's schema. */
export function responseSchemaOf(spec: QueryRouteSpec) {
  return { schema: { response: { 200: spec.response } } };
}
