/**
 * Wire shapes declared once as field lists, from which both the SQL that writes the JSON text in the
 * database and the JSON Schema that describes it (OpenAPI, Fastify's serializer) are built. A field's SQL
 * follows its schema: a field whose schema admits `null` is written `null` when its column is, so a
 * nullable column can never turn a whole object (and with it a row of a page) into SQL NULL.
 */
import { type RawBuilder, sql } from 'kysely';
import * as json from './json-text.js';

type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

/** The subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) the wire shapes need. */
export interface JsonSchema {
  type?: SchemaType | [SchemaType, 'null'];
  format?: 'uuid' | 'date-time' | 'uri';
  description?: string;
  enum?: readonly (string | null)[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  $ref?: string;
}

/** One field of a wire shape: the SQL of its JSON text and its schema. */
export interface WireField {
  sql: json.JsonText;
  schema: JsonSchema;
}

/** A kind of scalar field: builds the field from a column expression. */
export type WireKind = (column: RawBuilder<unknown>) => WireField;

function isNullable(schema: JsonSchema): boolean {
  return Array.isArray(schema.type) && schema.type.includes('null');
}

/** A scalar kind whose SQL follows its schema's nullability. */
function scalar(schema: JsonSchema, encode: (column: RawBuilder<unknown>) => json.JsonText): WireKind {
  return (column) => ({
    schema,
    sql: isNullable(schema) ? sql<string>`coalesce(${encode(column)}, 'null')` : encode(column),
  });
}

/** The nullable variant of a non-null schema. */
function orNull(schema: JsonSchema): JsonSchema {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  return { ...schema, ...(type ? { type: [type, 'null'] } : {}) };
}

const schemas = {
  uuid: { type: 'string', format: 'uuid' },
  text: { type: 'string' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  time: { type: 'string', format: 'date-time' },
  metadata: { type: 'object', additionalProperties: true },
} as const satisfies Record<string, JsonSchema>;

/** Scalar kinds, each with its nullable twin where a column may be NULL. */
export const uuid: WireKind = scalar(schemas.uuid, json.uuid);
export const nullableUuid: WireKind = scalar(orNull(schemas.uuid), json.uuid);
export const text: WireKind = scalar(schemas.text, json.text);
export const nullableText: WireKind = scalar(orNull(schemas.text), json.text);
export const integer: WireKind = scalar(schemas.integer, json.verbatim);
export const nullableInteger: WireKind = scalar(orNull(schemas.integer), json.verbatim);
export const boolean: WireKind = scalar(schemas.boolean, json.verbatim);
export const uri: WireKind = scalar({ type: 'string', format: 'uri' }, json.text);
export const time: WireKind = scalar(schemas.time, json.time);
/** A non-null text[] column as an array of strings. */
export const strings: WireKind = scalar(
  { type: 'array', items: schemas.text },
  (column) => sql<string>`to_json(${column})::text`,
);
/** Free-form metadata, as recorded (a jsonb column). */
export const metadata: WireKind = scalar(schemas.metadata, json.verbatim);

/** `field` with a description in its schema. */
export function describe(field: WireField, description: string): WireField {
  return { sql: field.sql, schema: { ...field.schema, description } };
}

/** A nullable text column restricted to `values` (an enumeration), `null` when the column is. */
export function nullableEnum(values: readonly string[]): WireKind {
  return scalar({ type: ['string', 'null'], enum: [...values, null] }, json.text);
}

/** A JSON object with these fields, in this order; every key is always present. */
export function object(fields: Record<string, WireField>, description?: string): WireField {
  const properties: Record<string, JsonSchema> = {};
  const members: Record<string, json.JsonText> = {};
  for (const [key, field] of Object.entries(fields)) {
    properties[key] = field.schema;
    members[key] = field.sql;
  }
  return {
    sql: json.object(members),
    schema: {
      type: 'object',
      ...(description ? { description } : {}),
      properties,
      required: Object.keys(properties),
      additionalProperties: false,
    },
  };
}

/**
 * An array of `element`, one per row of a subquery: `from` receives the array's aggregate (`[]` for no
 * row) and wraps it in the subquery that reads the rows.
 */
export function array(
  element: WireField,
  input: { order: RawBuilder<unknown>; from: (aggregate: json.JsonText) => RawBuilder<unknown> },
): WireField {
  return {
    sql: sql<string>`${input.from(json.arrayAggregate(element.sql, input.order))}`,
    schema: { type: 'array', items: element.schema },
  };
}

/** A copy of `fields` without `omitted`, for a shape that shows a subset of another's fields. */
export function without<Fields extends Record<string, WireField>, Omitted extends keyof Fields>(
  fields: Fields,
  ...omitted: Omitted[]
): Omit<Fields, Omitted> {
  const copy: Record<string, WireField> = { ...fields };
  for (const key of omitted) delete copy[key as string];
  return copy as Omit<Fields, Omitted>;
}
