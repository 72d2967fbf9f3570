/** The `q` search language of the query API: tokenizer, per-route grammars, parser and formatter. */
export { parseRfc3339 } from './parse-rfc3339.js';
export {
  clientsGrammar,
  interceptionsGrammar,
  modelsGrammar,
  parseSearchQuery,
  type SearchFilter,
  type SearchGrammar,
  type SearchKey,
  sessionsGrammar,
} from './parse-search-query.js';
export { formatSearchQuery, type SearchTerm, tokenizeSearchQuery } from './tokenize-search-query.js';
