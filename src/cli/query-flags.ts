/**
 * Flags shared by the query API commands: one flag per search key (turned into the `q` language, quoted
 * as needed), paging flags, and `--all` to follow cursors to the end.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { SearchKey } from '../core/search-keys.js';
import { searchKeys } from '../core/search-keys.js';
import { formatSearchQuery } from '../search/tokenize-search-query.js';

/** `provider_name` → `providerName`, as commander names an option. */
type CamelCase<Name extends string> = Name extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : Name;

/** The parsed search flags, one per key of the table; commander names them in camelCase. */
export type SearchFlags = { [Key in SearchKey as CamelCase<Key>]?: string } & { query?: string };

/** A key's flag, derived from its table entry: `provider_name` → `--provider-name <name>`. */
function flagOf(key: SearchKey): { flag: string; option: keyof SearchFlags; help: string } {
  const spec = searchKeys[key];
  const dashed = key.replaceAll('_', '-');
  return {
    flag: `--${dashed} <${spec.placeholder}>`,
    option: key.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase()) as CamelCase<SearchKey>,
    help: spec.help,
  };
}

/** Adds a flag per search key, and `--query` for a raw `q` expression added to them. */
export function withSearchFlags(command: Command, keys: readonly SearchKey[]): Command {
  for (const key of keys) command.option(flagOf(key).flag, flagOf(key).help);
  return command.option('--query <q>', 'raw search query in the key:value language, added to the flags');
}

/** The `q` parameter for the flags given (empty when none). */
export function searchQueryOf(options: SearchFlags, keys: readonly SearchKey[]): string {
  const terms: { key: string; value: string }[] = [];
  for (const key of keys) {
    const value = options[flagOf(key).option];
    if (value !== undefined) terms.push({ key, value });
  }
  return [formatSearchQuery(terms), options.query ?? ''].filter((part) => part !== '').join(' ');
}

/** Paging flags as commander parses them. */
export interface PagingFlags {
  limit?: number;
  afterId?: string;
  offset?: number;
  all?: boolean;
}

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}

/** Adds `--limit`, `--after-id` and/or `--offset`, and `--all`. */
export function withPagingFlags(
  command: Command,
  modes: { cursor: string | null; offset: boolean },
): Command {
  command.option('--limit <n>', 'results per page', nonNegativeInteger);
  if (modes.cursor) command.option('--after-id <id>', modes.cursor);
  if (modes.offset) command.option('--offset <n>', 'skip this many results', nonNegativeInteger);
  return command.option('--all', 'fetch every page, following the cursor');
}

/** Builds a query string from defined values. */
export function queryString(values: Record<string, string | number | undefined>): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') parameters.set(name, String(value));
  }
  const text = parameters.toString();
  return text ? `?${text}` : '';
}

/**
 * Fetches the page the flags ask for and, with `--all`, the pages after it by following the cursor (the
 * last row's id) until `count` rows are read or a page comes back empty.
 */
export async function collectPages<Row extends { id: string }>(input: {
  flags: PagingFlags;
  fetchPage: (
    after: string | undefined,
    offset: number | undefined,
  ) => Promise<{ count: number; rows: Row[] }>;
}): Promise<{ count: number; rows: Row[]; firstPageSize: number }> {
  const first = await input.fetchPage(input.flags.afterId, input.flags.offset);
  const rows = [...first.rows];
  let last = first.rows;
  while (input.flags.all && last.length > 0 && rows.length < first.count) {
    last = (await input.fetchPage(rows.at(-1)?.id, undefined)).rows;
    rows.push(...last);
  }
  return { count: first.count, rows, firstPageSize: first.rows.length };
}
