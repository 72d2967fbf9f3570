/**
 * Flags shared by the query API commands: one flag per search key (turned into the `q` language, quoted
 * as needed), paging flags, and `--all` to follow cursors to the end.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { SearchKey } from '../search/parse-search-query.js';
import { formatSearchQuery } from '../search/tokenize-search-query.js';

/** The parsed search flags; commander names them in camelCase. */
export type SearchFlags = Partial<Record<SearchFlagName, string>> & { query?: string };

type SearchFlagName =
  | 'initiator'
  | 'provider'
  | 'providerName'
  | 'model'
  | 'client'
  | 'sessionId'
  | 'startedAfter'
  | 'startedBefore';

const flags: Record<SearchKey, { flag: string; option: SearchFlagName; help: string }> = {
  initiator: { flag: '--initiator <user>', option: 'initiator', help: 'user: "me", a username or a user id' },
  provider: { flag: '--provider <type>', option: 'provider', help: 'provider type: openai or anthropic' },
  provider_name: {
    flag: '--provider-name <name>',
    option: 'providerName',
    help: 'configured provider instance name',
  },
  model: { flag: '--model <model>', option: 'model', help: 'model name' },
  client: { flag: '--client <client>', option: 'client', help: 'client, e.g. "Claude Code"' },
  session_id: { flag: '--session-id <id>', option: 'sessionId', help: 'session id' },
  started_after: {
    flag: '--started-after <time>',
    option: 'startedAfter',
    help: 'RFC 3339 time, e.g. 2025-01-31T09:00:00Z',
  },
  started_before: {
    flag: '--started-before <time>',
    option: 'startedBefore',
    help: 'RFC 3339 time (exclusive)',
  },
};

/** Adds a flag per search key, and `--query` for a raw `q` expression added to them. */
export function withSearchFlags(command: Command, keys: readonly SearchKey[]): Command {
  for (const key of keys) command.option(flags[key].flag, flags[key].help);
  return command.option('--query <q>', 'raw search query in the key:value language, added to the flags');
}

/** The `q` parameter for the flags given (empty when none). */
export function searchQueryOf(options: SearchFlags, keys: readonly SearchKey[]): string {
  const terms: { key: string; value: string }[] = [];
  for (const key of keys) {
    const value = options[flags[key].option];
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
