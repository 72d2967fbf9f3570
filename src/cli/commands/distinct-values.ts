import { Command } from 'commander';
import { formatSearchQuery } from '../../search/tokenize-search-query.js';
import { type ClientCommandOptions, clientFor, withClientOptions } from '../client-command.js';
import { printPagingHint, printRows } from '../output.js';
import { type PagingFlags, queryString, withPagingFlags } from '../query-flags.js';

/** Page size used by `--all`: the server's maximum, so few requests are needed. */
const allPageSize = 1000;

/**
 * `aibridge models|clients list [prefix]`: the distinct values of the caller's visible interceptions,
 * sorted, optionally filtered by a case-sensitive prefix.
 */
export function distinctValuesCommand(input: {
  name: 'models' | 'clients';
  noun: 'model' | 'client';
}): Command {
  const command = new Command(input.name).description(
    `list the ${input.name} seen in recorded interceptions`,
  );
  const list = command
    .command('list')
    .description(`list ${input.name}, sorted`)
    .argument('[prefix]', `only ${input.name} starting with this (case-sensitive)`);
  withClientOptions(withPagingFlags(list, { cursor: null, offset: true }));
  list.action(async (prefix: string | undefined, options: ClientCommandOptions & PagingFlags) => {
    const client = clientFor(options);
    const q = prefix === undefined ? undefined : formatSearchQuery([{ key: input.noun, value: prefix }]);
    const limit = options.all ? (options.limit ?? allPageSize) : options.limit;
    const fetchPage = (offset: number | undefined) =>
      client.request<string[]>('GET', `/api/v2/aibridge/${input.name}${queryString({ q, limit, offset })}`);
    const values = await fetchPage(options.offset);
    let last = values;
    while (options.all && last.length > 0 && last.length === limit) {
      last = await fetchPage((options.offset ?? 0) + values.length);
      values.push(...last);
    }
    printRows({
      format: options.output,
      rows: values,
      noun: input.name,
      columns: [{ heading: input.noun, value: (value) => value }],
    });
    printPagingHint({
      format: options.output,
      all: options.all,
      full: options.limit !== undefined && values.length === options.limit,
      next: `--offset ${(options.offset ?? 0) + values.length}`,
    });
  });
  return command;
}
