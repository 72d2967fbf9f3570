import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clientsGrammar,
  interceptionsGrammar,
  modelsGrammar,
  parseSearchQuery,
  type SearchGrammar,
  sessionsGrammar,
} from './parse-search-query.js';
import { formatSearchQuery, tokenizeSearchQuery } from './tokenize-search-query.js';

const grammars: SearchGrammar[] = [interceptionsGrammar, sessionsGrammar, modelsGrammar, clientsGrammar];

/** Strings built from the characters that matter to the grammar, so the fuzzer reaches its corners. */
const queryLike = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', '\\', ':', ' ', '\t', 'model', 'initiator', 'started_after', 'me', 'Z', '+01:00'),
      fc.constantFrom('2025-01-01T00:00:00Z', '2025-02-30T00:00:00Z', 'session_id', 'client', 'ÄÖ', '\u0000'),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''));

describe('parseSearchQuery under fuzzing', () => {
  it('never throws and reports problems only as validations with a field and a detail', () => {
    fc.assert(
      fc.property(fc.oneof(queryLike, fc.string({ unit: 'binary', maxLength: 80 })), (query) => {
        for (const grammar of grammars) {
          const { validations } = parseSearchQuery(query, grammar);
          for (const validation of validations) {
            expect(typeof validation.field).toBe('string');
            expect(validation.detail.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back any value the formatter wrote', () => {
    const value = fc.string({ unit: 'grapheme', minLength: 0, maxLength: 24 });
    const key = fc.constantFrom('model', 'client', 'provider', 'session_id');
    fc.assert(
      fc.property(fc.array(fc.record({ key, value }), { maxLength: 5 }), (terms) => {
        const parsed = tokenizeSearchQuery(formatSearchQuery(terms));
        expect(parsed.validations).toEqual([]);
        expect(parsed.terms).toEqual(terms);
      }),
      { numRuns: 1000 },
    );
  });
});
