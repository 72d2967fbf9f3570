/**
 * The parser of the `q` search language: turns a query into a typed filter plus every problem found, each
 * as a validation entry naming its field. Which keys a route accepts comes from the key table
 * (search-keys.ts). Checks that need the database or the configuration (does this user exist? this
 * provider name?) belong to the caller.
 */
import type { Validation } from '../api/http-error.js';
import {
  type SearchFilter,
  type SearchKey,
  type SearchRoute,
  searchKeyList,
  searchKeys,
} from './search-keys.js';
import { tokenizeSearchQuery } from './tokenize-search-query.js';

/** Which keys a route accepts and what a bare word (a term without `key:`) stands for. */
export interface SearchGrammar {
  keys: readonly SearchKey[];
  /** The key of a bare word; null when bare words are an error on this route. */
  bareWordKey: SearchKey | null;
}

/** What a bare word stands for on each route. */
const bareWordKeys: Record<SearchRoute, SearchKey | null> = {
  interceptions: 'initiator',
  sessions: null,
  models: 'model',
  clients: 'client',
};

/** The grammar of a route: the keys whose table entry names it, in table order. */
export function grammarOf(route: SearchRoute): SearchGrammar {
  return {
    keys: searchKeyList()
      .filter(({ spec }) => spec.routes.includes(route))
      .map(({ key }) => key),
    bareWordKey: bareWordKeys[route],
  };
}

export const interceptionsGrammar: SearchGrammar = grammarOf('interceptions');
export const sessionsGrammar: SearchGrammar = grammarOf('sessions');
/** Models: a bare word is a model-name prefix, as is `model:`. */
export const modelsGrammar: SearchGrammar = grammarOf('models');
/** Clients: a bare word is a client prefix, as is `client:`. */
export const clientsGrammar: SearchGrammar = grammarOf('clients');

/** The `q` parameter's description on a filtering route: the format and every key with its help. */
export function searchHelpOf(route: SearchRoute): string {
  const grammar = grammarOf(route);
  const keys = grammar.keys.map((name) => `${name} (${searchKeys[name].help})`).join(', ');
  const article = /^[aeiou]/.test(grammar.bareWordKey ?? '') ? 'an' : 'a';
  const bareWord = grammar.bareWordKey === null ? '' : ` A bare word is ${article} ${grammar.bareWordKey}.`;
  return `Search query in the format \`key:value\`. Available keys are: ${keys}.${bareWord}`;
}

/**
 * Parses `query` under `grammar`. Keys are case-insensitive, values are not. Collects every problem at once:
 * syntax, unknown key, repeated key, bare word where none is allowed, empty value, a value its key's parser
 * refuses, and a `started_before` that is not after `started_after`.
 */
export function parseSearchQuery(
  query: string,
  grammar: SearchGrammar,
): { filter: SearchFilter; validations: Validation[] } {
  const { terms, validations } = tokenizeSearchQuery(query);
  const fields: Record<string, unknown> = {};
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
    const spec = searchKeys[key];
    const parsed = spec.parse(term.value);
    if ('problem' in parsed) validations.push({ field: key, detail: parsed.problem });
    else fields[spec.field] = parsed.value;
  }
  // The fields were set from the table, each by its own key's parser, so they have the filter's types.
  const filter = fields as SearchFilter;
  if (filter.startedAfter && filter.startedBefore && filter.startedBefore <= filter.startedAfter) {
    validations.push({ field: 'started_before', detail: 'started_before must be after started_after.' });
  }
  return { filter, validations };
}

function findKey(grammar: SearchGrammar, spelled: string): SearchKey | null {
  const lower = spelled.toLowerCase();
  return grammar.keys.find((key) => key === lower) ?? null;
}
