import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setJsonMember } from './edit-json.js';

describe('setJsonMember', () => {
  it('appends a missing member after the last one and keeps every other byte', () => {
    const text = '{ "model": "gpt-4o",\n  "logit_bias": {"50256": -100, "1": 1.0}, "stream": true }';
    expect(setJsonMember(text, ['stream_options', 'include_usage'], 'true')).toBe(
      '{ "model": "gpt-4o",\n  "logit_bias": {"50256": -100, "1": 1.0}, "stream": true,' +
        '"stream_options":{"include_usage":true} }',
    );
  });

  it('adds a member inside an existing nested object', () => {
    expect(setJsonMember('{"stream_options": {"x": 1}}', ['stream_options', 'include_usage'], 'true')).toBe(
      '{"stream_options": {"x": 1,"include_usage":true}}',
    );
    expect(setJsonMember('{"stream_options": { }}', ['stream_options', 'include_usage'], 'true')).toBe(
      '{"stream_options": {"include_usage":true }}',
    );
  });

  it('replaces an existing value and a null in the way', () => {
    expect(setJsonMember('{"o":{"include_usage":false,"y":2}}', ['o', 'include_usage'], 'true')).toBe(
      '{"o":{"include_usage":true,"y":2}}',
    );
    expect(setJsonMember('{"o":null}', ['o', 'include_usage'], 'true')).toBe('{"o":{"include_usage":true}}');
  });

  it('edits the last of duplicate keys, the one JSON.parse reads', () => {
    const edited = setJsonMember('{"a":{"b":1},"a":{"b":2}}', ['a', 'b'], '3');
    expect(edited).toBe('{"a":{"b":1},"a":{"b":3}}');
  });

  it('skips strings holding braces, quotes and escapes when scanning', () => {
    const text = '{"s":"}{\\"]","k\\u0041":[{"x":"}"}],"n":-1.5e3}';
    const edited = setJsonMember(text, ['kA'], '0');
    expect(JSON.parse(edited)).toEqual({ s: '}{"]', kA: 0, n: -1500 });
  });

  it('leaves text whose top level is not an object unchanged', () => {
    expect(setJsonMember('[1]', ['a'], '1')).toBe('[1]');
  });

  it('produces JSON equal to setting the value on the parsed object, for any object', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.constantFrom(['a'], ['stream_options', 'include_usage'], ['a', 'b', 'c']),
        fc.boolean(),
        (object, path, pretty) => {
          const text = JSON.stringify(object, null, pretty ? 2 : undefined);
          // Through JSON, as the edit sees it (-0 becomes 0).
          const expected = JSON.parse(text) as Record<string, unknown>;
          let cursor = expected;
          for (const key of path.slice(0, -1)) {
            const next = cursor[key];
            if (typeof next !== 'object' || next === null || Array.isArray(next)) cursor[key] = {};
            cursor = cursor[key] as Record<string, unknown>;
          }
          cursor[path.at(-1) as string] = true;
          expect(JSON.parse(setJsonMember(text, path, 'true'))).toEqual(expected);
        },
      ),
    );
  });
});
