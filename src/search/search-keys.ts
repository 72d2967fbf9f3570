/**
 * Every key of the `q` search language, declared once: the filter field it sets, how its value is parsed,
 * its help text and the routes that accept it. The filter types, the per-route grammars, the routes' `q`
 * descriptions and the CLI's flags are all derived from this table, and the store's filter-to-SQL builders
 * are typed by the derived filter, so a key added here fails to compile wherever it still needs handling.
 */
import type { CredentialKind } from '../core/records.js';
import { errorTypes } from '../store/error-types.js';
import { parseRfc3339 } from './parse-rfc3339.js';

/** The query routes that take a `q` parameter. */
export type SearchRoute = 'interceptions' | 'sessions' | 'models' | 'clients';

/** A value parser: the typed value, or a sentence saying what is wrong with the text. */
export type ParseValue<Value> = (text: string) => { value: Value } | { problem: string };

/** One key of the language. */
export interface SearchKeySpec<Field extends string, Value> {
  /** The field of the parsed filter this key sets. */
  field: Field;
  parse: ParseValue<Value>;
  /** What the value is, for help texts (route descriptions, CLI flags). */
  help: string;
  /** The value's name in the CLI flag, e.g. `<time>`. */
  placeholder: string;
  /** The routes that accept the key. */
  routes: readonly SearchRoute[];
}

const text: ParseValue<string> = (value) => ({ value });

const time: ParseValue<Date> = (value) => {
  const parsed = parseRfc3339(value);
  return parsed === null
    ? { problem: `"${value}" is not an RFC 3339 time with an offset, e.g. 2025-01-31T09:00:00Z.` }
    : { value: parsed };
};

function oneOf<Value extends string>(values: readonly Value[]): ParseValue<Value> {
  return (value) =>
    (values as readonly string[]).includes(value)
      ? { value: value as Value }
      : { problem: `"${value}" is not one of ${values.join(', ')}.` };
}

const boolean: ParseValue<boolean> = (value) =>
  value === 'true' || value === 'false'
    ? { value: value === 'true' }
    : { problem: `"${value}" is not true or false.` };

/** Declares a key, keeping its field name and value type literal. */
function key<const Field extends string, Value>(
  spec: SearchKeySpec<Field, Value>,
): SearchKeySpec<Field, Value> {
  return spec;
}

const lists = ['interceptions', 'sessions'] as const;

const credentialKinds = ['centralized', 'byok'] as const satisfies readonly CredentialKind[];

/** The table: one entry per key, in the order help texts list them. */
export const searchKeys = {
  initiator: key({
    field: 'initiator',
    parse: text,
    help: 'user: "me", a username or a user id',
    placeholder: 'user',
    routes: lists,
  }),
  provider: key({
    field: 'provider',
    parse: text,
    help: 'provider type, e.g. openai or anthropic',
    placeholder: 'type',
    routes: lists,
  }),
  provider_name: key({
    field: 'providerName',
    parse: text,
    help: 'configured provider instance name',
    placeholder: 'name',
    routes: lists,
  }),
  model: key({
    field: 'model',
    parse: text,
    help: 'model name',
    placeholder: 'model',
    routes: [...lists, 'models'],
  }),
  client: key({
    field: 'client',
    parse: text,
    help: 'client, e.g. "Claude Code"',
    placeholder: 'client',
    routes: [...lists, 'clients'],
  }),
  credential_kind: key({
    field: 'credentialKind',
    parse: oneOf(credentialKinds),
    help: `whose credential went upstream: ${credentialKinds.join(' or ')}`,
    placeholder: 'kind',
    routes: lists,
  }),
  session_id: key({
    field: 'sessionId',
    parse: text,
    help: 'session id',
    placeholder: 'id',
    routes: ['sessions'],
  }),
  error: key({
    field: 'errorType',
    parse: oneOf(errorTypes),
    help: `failure class: ${errorTypes.join(', ')} (a session: of any of its interceptions)`,
    placeholder: 'type',
    routes: lists,
  }),
  has_error: key({
    field: 'hasError',
    parse: boolean,
    help: 'true for failed interceptions (sessions with one), false for the others',
    placeholder: 'bool',
    routes: lists,
  }),
  started_after: key({
    field: 'startedAfter',
    parse: time,
    help: 'RFC 3339 time, e.g. 2025-01-31T09:00:00Z (inclusive)',
    placeholder: 'time',
    routes: lists,
  }),
  started_before: key({
    field: 'startedBefore',
    parse: time,
    help: 'RFC 3339 time (exclusive)',
    placeholder: 'time',
    routes: lists,
  }),
};

type Keys = typeof searchKeys;

/** Every key the language knows, across all routes. */
export type SearchKey = keyof Keys;

type ValueOf<Spec> = Spec extends SearchKeySpec<string, infer Value> ? Value : never;

/** A parsed query: one optional field per key. `initiator` is still raw (`me`, an id or a username). */
export type SearchFilter = { [Key in SearchKey as Keys[Key]['field']]?: ValueOf<Keys[Key]> };

/**
 * A search as the store applies it: the parsed filter with its initiator resolved to a user id. Absent
 * fields do not filter.
 */
export type RecordFilter = Omit<SearchFilter, 'initiator'> & { initiatorId?: string };

/** The table's entries as a list, typed loosely for code that treats every key alike. */
export function searchKeyList(): { key: SearchKey; spec: SearchKeySpec<string, unknown> }[] {
  return (Object.keys(searchKeys) as SearchKey[]).map((name) => ({
    key: name,
    spec: searchKeys[name] as SearchKeySpec<string, unknown>,
  }));
}
