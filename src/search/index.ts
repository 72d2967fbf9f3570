/** The `q` search language of the query API: the key table, tokenizer, per-route grammars, parser and formatter. */

export { type ErrorType, errorTypes } from '../store/error-types.js';
export { parseRfc3339 } from './parse-rfc3339.js';
export {
  clientsGrammar,
  grammarOf,
  interceptionsGrammar,
  modelsGrammar,
  parseSearchQuery,
  type SearchGrammar,
  searchHelpOf,
  sessionsGrammar,
} from './parse-search-query.js';
export {
  type RecordFilter,
  type SearchFilter,
  type SearchKey,
  type SearchRoute,
  searchKeys,
} from './search-keys.js';
export { formatSearchQuery, type SearchTerm, tokenizeSearchQuery } from './tokenize-search-query.js';
