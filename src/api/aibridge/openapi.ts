/**
 * The OpenAPI 3.1 document of the query API, generated from the same route specs and response schemas the
 * routes are registered with, so the document cannot drift from what the server sends. Built by hand
 * rather than with a plugin: five GET routes need no more than this file.
 */
import { version } from '../../version.js';
import type { QueryRouteSpec } from './route-spec.js';
import { type JsonSchema, namedSchemas } from './schemas.js';

/** An OpenAPI 3.1 document (only the parts this generator writes). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, { get: Record<string, unknown> }>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  security: Record<string, string[]>[];
}

const errorSchema: JsonSchema = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    detail: { type: 'string' },
    validations: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, detail: { type: 'string' } },
        required: ['field', 'detail'],
      },
    },
  },
  required: ['message'],
};

/** Builds the document for `routes`. Named schemas become `$ref`s into `components.schemas`. */
export function buildOpenApiDocument(routes: readonly QueryRouteSpec[]): OpenApiDocument {
  const names = new Map<JsonSchema, string>(
    Object.entries(namedSchemas).map(([name, schema]) => [schema, name]),
  );
  const components: Record<string, JsonSchema> = { 'codersdk.Response': errorSchema };
  for (const [name, schema] of Object.entries(namedSchemas))
    components[name] = referencing(schema, names, true);
  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/codersdk.Response' } } },
  });
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    paths[route.path] = {
      get: {
        operationId: route.operationId,
        summary: route.summary,
        description: route.description,
        tags: ['AI Bridge'],
        parameters: route.parameters.map((parameter) => ({
          name: parameter.name,
          in: parameter.in,
          required: parameter.required,
          description: parameter.description,
          schema: { type: parameter.type },
        })),
        responses: {
          200: {
            description: 'OK',
            content: { 'application/json': { schema: referencing(route.response, names) } },
          },
          400: errorResponse('Invalid parameters; `validations` lists every problem.'),
          401: errorResponse('Missing or invalid token.'),
          ...(route.parameters.some((parameter) => parameter.in === 'path')
            ? { 404: errorResponse('No such record, or the caller may not see it.') }
            : {}),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AI Bridge',
      version,
      description:
        'The query API of AI Bridge: interceptions, sessions, session threads, models and clients.',
    },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        CoderSessionToken: { type: 'apiKey', in: 'header', name: 'Coder-Session-Token' },
        BearerToken: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ CoderSessionToken: [] }, { BearerToken: [] }],
  };
}

/** A copy of `schema` with named sub-schemas replaced by `$ref`s (the top level too, unless `isComponent`). */
function referencing(schema: JsonSchema, names: Map<JsonSchema, string>, isComponent = false): JsonSchema {
  const name = names.get(schema);
  if (name !== undefined && !isComponent) return { $ref: `#/components/schemas/${name}` };
  const copy: JsonSchema = { ...schema };
  if (schema.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [key, referencing(value, names)]),
    );
  }
  if (schema.items) copy.items = referencing(schema.items, names);
  return copy;
}
