/**
 * SQL expressions that build compact JSON text in the database, for a page the API sends without parsing
 * and serializing it again in Node. Plain concatenation rather than `json_build_object`: it is faster in
 * PostgreSQL (no type lookup per value) and writes no whitespace between keys and values. Strings are
 * escaped by `to_json`, exactly as `JSON.stringify` escapes them (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
 * other control characters as `\u00xx`). Every expression here must be non-null, since one null would
 * make the whole concatenation null: nullable columns go through `nullableText`.
 */
import { type RawBuilder, sql } from 'kysely';
import { utcText } from './record-filter.js';

/** JSON text of one value. */
export type JsonText = RawBuilder<string>;

/** A non-null text column as a JSON string. */
export function text(column: RawBuilder<unknown>): JsonText {
  return sql<string>`to_json(${column})::text`;
}

/** A nullable text column as a JSON string or `null`. */
export function nullableText(column: RawBuilder<unknown>): JsonText {
  return sql<string>`coalesce(to_json(${column})::text, 'null')`;
}

/** A non-null uuid column as a JSON string (its text form needs no escaping). */
export function uuid(column: RawBuilder<unknown>): JsonText {
  return sql<string>`'"' || ${column} || '"'`;
}

/** A non-null integer, boolean or jsonb column: its text form is its JSON form. */
export function verbatim(column: RawBuilder<unknown>): JsonText {
  return sql<string>`${column}::text`;
}

/** A non-null timestamptz column as an RFC 3339 UTC string with milliseconds (`utcText`). */
export function time(column: RawBuilder<unknown>): JsonText {
  return sql<string>`'"' || ${utcText(column)} || '"'`;
}

/** A JSON object with these keys, in this order. */
export function object(fields: Record<string, JsonText>): JsonText {
  const members = Object.entries(fields).map(
    ([key, value], index) => sql`${sql.lit(`${index === 0 ? '{' : ','}${JSON.stringify(key)}:`)} || ${value}`,
  );
  return sql<string>`(${sql.join(members, sql` || `)} || '}')`;
}

/** Aggregates one JSON element per row into a JSON array, `[]` when there is no row. */
export function arrayAggregate(element: JsonText, order: RawBuilder<unknown>): JsonText {
  return sql<string>`('[' || coalesce(string_agg(${element}, ',' ORDER BY ${order}), '') || ']')`;
}
