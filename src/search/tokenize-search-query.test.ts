import { describe, expect, it } from 'vitest';
import { formatSearchQuery, tokenizeSearchQuery } from './tokenize-search-query.js';

describe('tokenizeSearchQuery', () => {
  it('splits key:value terms and bare words at whitespace', () => {
    expect(tokenizeSearchQuery('  model:gpt-5\tbob \n provider:openai ')).toEqual({
      terms: [
        { key: 'model', value: 'gpt-5' },
        { key: null, value: 'bob' },
        { key: 'provider', value: 'openai' },
      ],
      validations: [],
    });
  });

  it('splits at the first colon so timestamps need no quotes', () => {
    expect(tokenizeSearchQuery('started_after:2025-01-01T10:20:30+02:00').terms).toEqual([
      { key: 'started_after', value: '2025-01-01T10:20:30+02:00' },
    ]);
  });

  it('keeps spaces and colons inside quoted values', () => {
    expect(tokenizeSearchQuery('client:"Claude Code" session_id:"a b:c"').terms).toEqual([
      { key: 'client', value: 'Claude Code' },
      { key: 'session_id', value: 'a b:c' },
    ]);
  });

  it('reads a quoted word with a colon as a bare word', () => {
    expect(tokenizeSearchQuery('"a:b"').terms).toEqual([{ key: null, value: 'a:b' }]);
  });

  it('unescapes \\" and \\\\ inside quotes and keeps other backslashes', () => {
    expect(tokenizeSearchQuery('model:"say \\"hi\\" \\\\ \\n"').terms).toEqual([
      { key: 'model', value: 'say "hi" \\ \\n' },
    ]);
  });

  it('keeps an empty quoted value as an empty value', () => {
    expect(tokenizeSearchQuery('model:""').terms).toEqual([{ key: 'model', value: '' }]);
  });

  it('reports an unterminated quote against q and keeps the terms before it', () => {
    const result = tokenizeSearchQuery('model:a client:"Claude Code');
    expect(result.terms).toEqual([{ key: 'model', value: 'a' }]);
    expect(result.validations).toEqual([
      { field: 'q', detail: expect.stringContaining('Unterminated quote') },
    ]);
  });
});

describe('formatSearchQuery', () => {
  it('quotes only values that need it', () => {
    expect(
      formatSearchQuery([
        { key: 'model', value: 'gpt-5' },
        { key: 'client', value: 'Claude Code' },
        { key: 'started_after', value: '2025-01-01T00:00:00Z' },
        { key: 'session_id', value: 'say "hi"' },
      ]),
    ).toBe('model:gpt-5 client:"Claude Code" started_after:2025-01-01T00:00:00Z session_id:"say \\"hi\\""');
  });
});
