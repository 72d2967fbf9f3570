/**
 * The lexical layer of the `q` search language: splits a query into `key:value` terms and bare
 * words. Pure and total: every input yields terms plus syntax problems, nothing throws.
 */
import type { Validation } from '../http-error.js';

/** One term of a query: `key` is null for a bare word. Keys keep their spelling; values are unquoted. */
export interface SearchTerm {
  key: string | null;
  value: string;
}

/** Terms in query order, and syntax problems (field `q`). */
export interface TokenizedSearchQuery {
  terms: SearchTerm[];
  validations: Validation[];
}

const whitespace = /\s/u;

/**
 * Splits `query` at unquoted whitespace. A term is `key:value` when it holds an unquoted colon: the key is
 * everything before the first such colon, so later colons belong to the value (`started_after:2025-01-01T10:00:00Z`
 * needs no quotes). Double quotes group text with spaces or colons; inside them `\"` and `\\` escape.
 */
export function tokenizeSearchQuery(query: string): TokenizedSearchQuery {
  const terms: SearchTerm[] = [];
  const validations: Validation[] = [];
  let position = 0;
  while (position < query.length) {
    const character = query[position] ?? '';
    if (whitespace.test(character)) {
      position += 1;
      continue;
    }
    const token = readToken(query, position);
    position = token.end;
    if (token.unterminated) {
      validations.push({ field: 'q', detail: `Unterminated quote in "${query.slice(token.start)}".` });
      continue;
    }
    terms.push(token.term);
  }
  return { terms, validations };
}

interface Token {
  term: SearchTerm;
  start: number;
  end: number;
  unterminated: boolean;
}

function readToken(query: string, start: number): Token {
  let key: string | null = null;
  let text = '';
  let position = start;
  while (position < query.length) {
    const character = query[position] ?? '';
    if (whitespace.test(character)) break;
    if (character === '"') {
      const quoted = readQuoted(query, position + 1);
      if (quoted === null)
        return { term: { key, value: text }, start, end: query.length, unterminated: true };
      text += quoted.text;
      position = quoted.end;
      continue;
    }
    if (character === ':' && key === null) {
      // The first unquoted colon ends the key; any later colon is part of the value.
      key = text;
      text = '';
    } else {
      text += character;
    }
    position += 1;
  }
  return { term: { key, value: text }, start, end: position, unterminated: false };
}

/** Reads a quoted section whose opening quote precedes `start`; null when it never closes. */
function readQuoted(query: string, start: number): { text: string; end: number } | null {
  let text = '';
  let position = start;
  while (position < query.length) {
    const character = query[position] ?? '';
    if (character === '"') return { text, end: position + 1 };
    if (character === '\\') {
      const next = query[position + 1];
      if (next === '"' || next === '\\') {
        text += next;
        position += 2;
        continue;
      }
    }
    text += character;
    position += 1;
  }
  return null;
}

const needsQuotes = /[\s"]/u;

/**
 * Formats terms back into a query that tokenizes to the same terms: values that are empty or hold spaces or
 * quotes are quoted (colons need not be), so callers such as the CLI can pass user input through untouched.
 */
export function formatSearchQuery(terms: ReadonlyArray<{ key: string; value: string }>): string {
  return terms.map(({ key, value }) => `${key}:${quoteIfNeeded(value)}`).join(' ');
}

function quoteIfNeeded(value: string): string {
  if (value !== '' && !needsQuotes.test(value)) return value;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
