/**
 * The `q` search language of the query API (SPEC §5): per-route grammars and the parser that turns a query
 * into a typed filter plus every problem found, each as a validation entry naming its field. Checks that
 * need the database or the configuration (does this user exist? this provider name?) belong to the caller.
 */
import type { Validation } from '../api/http-error.js';
import { parseRfc3339 } from './parse-rfc3339.js';
import { tokenizeSearchQuery } from './tokenize-search-query.js';

/** Every key the language knows, across all routes. */
export type SearchKey =
  | 'initiator'
  | 'provider'
  | 'provider_name'
  | 'model'
  | 'client'
  | 'session_id'
  | 'started_after'
  | 'started_before';

/** Which keys a route accepts and what a bare word (a term without `key:`) stands for. */
export interface SearchGrammar {
  keys: readonly SearchKey[];
  /** The key of a bare word; null when bare words are an error on this route. */
  bareWordKey: SearchKey | null;
}

/** A parsed query. `initiator` is still raw (`me`, an id or a username): the route resolves it. */
export interface SearchFilter {
  initiator?: string;
  provider?: string;
  providerName?: string;
  model?: string;
  client?: string;
  sessionId?: string;
  startedAfter?: Date;
  startedBefore?: Date;
}

export const interceptionsGrammar: SearchGrammar = {
  keys: ['initiator', 'provider', 'provider_name', 'model', 'client', 'started_after', 'started_before'],
  bareWordKey: 'initiator',
};

export const sessionsGrammar: SearchGrammar = {
  keys: [
    'initiator',
    'provider',
    'provider_name',
    'model',
    'client',
    'session_id',
    'started_after',
    'started_before',
  ],
  bareWordKey: null,
};

/** Models: a bare word is a model-name prefix, as is `model:`. */
export const modelsGrammar: SearchGrammar = { keys: ['model'], bareWordKey: 'model' };

/** Clients: a bare word is a client prefix, as is `client:`. */
export const clientsGrammar: SearchGrammar = { keys: ['client'], bareWordKey: 'client' };

const textFields = {
  initiator: 'initiator',
  provider: 'provider',
  provider_name: 'providerName',
  model: 'model',
  client: 'client',
  session_id: 'sessionId',
} as const satisfies Partial<Record<SearchKey, keyof SearchFilter>>;

/**
 * Parses `query` under `grammar`. Keys are case-insensitive, values are not. Collects every problem at once:
 * syntax, unknown key, repeated key, bare word where none is allowed, empty value, bad time, and a
 * `started_before` that is not after `started_after`.
 */
export function parseSearchQuery(
  query: string,
  grammar: SearchGrammar,
): { filter: SearchFilter; validations: Validation[] } {
  const { terms, validations } = tokenizeSearchQuery(query);
  const filter: SearchFilter = {};
  const seen = new Set<SearchKey>();
  for (const term of terms) {
    const key = term.key === null ? grammar.bareWordKey : findKey(grammar, term.key);
    if (key === null) {
      validations.push(
        term.key === null
          ? { field: 'q', detail: `Bare word "${term.value}" is not allowed here; use key:value.` }
          : {
              field: term.key,
              detail: `Unknown search key "${term.key}". Available keys: ${grammar.keys.join(', ')}.`,
            },
      );
      continue;
    }
    if (seen.has(key)) {
      validations.push({ field: key, detail: `Search key "${key}" is given more than once.` });
      continue;
    }
    seen.add(key);
    if (term.value === '') {
      validations.push({ field: key, detail: `Search key "${key}" needs a value.` });
      continue;
    }
    if (key === 'started_after' || key === 'started_before') {
      const time = parseRfc3339(term.value);
      if (time === null) {
        validations.push({
          field: key,
          detail: `"${term.value}" is not an RFC 3339 time with an offset, e.g. 2025-01-31T09:00:00Z.`,
        });
      } else if (key === 'started_after') {
        filter.startedAfter = time;
      } else {
        filter.startedBefore = time;
      }
      continue;
    }
    filter[textFields[key]] = term.value;
  }
  if (filter.startedAfter && filter.startedBefore && filter.startedBefore <= filter.startedAfter) {
    validations.push({ field: 'started_before', detail: 'started_before must be after started_after.' });
  }
  return { filter, validations };
}

function findKey(grammar: SearchGrammar, spelled: string): SearchKey | null {
  const lower = spelled.toLowerCase();
  return grammar.keys.find((key) => key === lower) ?? null;
}
