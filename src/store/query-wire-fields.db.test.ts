import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/support/databases.js';
import { interceptionWire, toolCallWire, toolUsageWire } from './query-interceptions.js';
import * as wire from './query-wire-fields.js';

describeEachDatabase('wire field lists', (getStore) => {
  const render = async (field: wire.WireField, row: RawRow) => {
    const result = await sql<{ json: string }>`
      SELECT ${field.sql} AS json
      FROM (VALUES (${row.text}::text, ${row.count}::integer, ${row.id}::uuid)) AS v (text, count, id)`.execute(
      getStore().db,
    );
    return result.rows[0]?.json ?? null;
  };
  interface RawRow {
    text: string | null;
    count: number | null;
    id: string | null;
  }
  const shape = wire.object({
    id: wire.nullableUuid(sql`v.id`),
    text: wire.nullableText(sql`v.text`),
    count: wire.nullableInteger(sql`v.count`),
    kind: wire.nullableEnum(['a', 'b'])(sql`v.text`),
  });

  it('writes null for a null column of a nullable field, so the object never becomes NULL', async () => {
    expect(JSON.parse((await render(shape, { text: null, count: null, id: null }))!)).toEqual({
      id: null,
      text: null,
      count: null,
      kind: null,
    });
    const id = '01890000-0000-7000-8000-000000000001';
    expect(JSON.parse((await render(shape, { text: 'a"b', count: 7, id }))!)).toEqual({
      id,
      text: 'a"b',
      count: 7,
      kind: 'a"b',
    });
  });

  it('takes the schema from the same field list, nullable where the SQL writes null', () => {
    expect(shape.schema).toEqual({
      type: 'object',
      properties: {
        id: { type: ['string', 'null'], format: 'uuid' },
        text: { type: ['string', 'null'] },
        count: { type: ['integer', 'null'] },
        kind: { type: ['string', 'null'], enum: ['a', 'b', null] },
      },
      required: ['id', 'text', 'count', 'kind'],
      additionalProperties: false,
    });
  });

  it('defines the tool call once: the thread shape is the tool usage shape without invocation_error', () => {
    const usage = toolUsageWire.schema.properties ?? {};
    const call = toolCallWire.schema.properties ?? {};
    expect(Object.keys(usage)).toEqual([...Object.keys(call), 'invocation_error']);
    for (const [key, schema] of Object.entries(call)) expect(usage[key], key).toBe(schema);
    expect(interceptionWire.schema.properties?.tool_usages?.items).toBe(toolUsageWire.schema);
  });
});
