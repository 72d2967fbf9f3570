import { Command } from 'commander';
import { interceptionsGrammar } from '../../search/parse-search-query.js';
import { type ClientCommandOptions, clientFor, withClientOptions } from '../client-command.js';
import { printRows } from '../output.js';
import {
  cell,
  collectPages,
  type PagingFlags,
  printMore,
  queryString,
  type SearchFlags,
  searchQueryOf,
  withPagingFlags,
  withSearchFlags,
} from '../query-flags.js';

/** An interception as the API returns it (the fields the table shows). */
interface InterceptionJson {
  id: string;
  initiator: { username: string };
  provider_name: string;
  model: string;
  client: string;
  started_at: string;
  error_type: string | null;
  upstream_status: number | null;
  token_usages: { input_tokens: number; output_tokens: number }[];
  tool_usages: unknown[];
  user_prompts: { prompt: string }[];
}

interface InterceptionsPage {
  count: number;
  results: InterceptionJson[];
}

/** The flags follow the route's grammar, which the search key table defines. */
const keys = interceptionsGrammar.keys;

const sum = (row: InterceptionJson, field: 'input_tokens' | 'output_tokens') =>
  row.token_usages.reduce((total, usage) => total + usage[field], 0);

/** `ok`, or the failure class with the provider's HTTP status when one was received: `rate_limit 429`. */
function statusOf(row: InterceptionJson): string {
  if (row.error_type === null) return 'ok';
  return row.upstream_status === null ? row.error_type : `${row.error_type} ${row.upstream_status}`;
}

/** `aibridge interceptions list`. */
export function interceptionsCommand(): Command {
  const interceptions = new Command('interceptions').description('list recorded interceptions');
  const list = interceptions.command('list').description('list ended interceptions, newest first');
  withClientOptions(
    withPagingFlags(withSearchFlags(list, keys), { cursor: 'start after this interception', offset: true }),
  );
  list.action(async (options: ClientCommandOptions & SearchFlags & PagingFlags) => {
    const client = clientFor(options);
    const q = searchQueryOf(options, keys);
    const {
      count,
      rows: results,
      firstPageSize,
    } = await collectPages({
      flags: options,
      fetchPage: async (afterId, offset) => {
        const page = await client.request<InterceptionsPage>(
          'GET',
          `/api/v2/aibridge/interceptions${queryString({ q, limit: options.limit, after_id: afterId, offset })}`,
        );
        return { count: page.count, rows: page.results };
      },
    });
    printRows({
      format: options.output,
      rows: results,
      json: { count, results },
      columns: [
        { heading: 'started', value: (row) => row.started_at },
        { heading: 'initiator', value: (row) => row.initiator.username },
        { heading: 'provider', value: (row) => row.provider_name },
        { heading: 'model', value: (row) => row.model },
        { heading: 'client', value: (row) => row.client },
        { heading: 'status', value: statusOf },
        { heading: 'in', value: (row) => sum(row, 'input_tokens') },
        { heading: 'out', value: (row) => sum(row, 'output_tokens') },
        { heading: 'tools', value: (row) => row.tool_usages.length },
        { heading: 'prompt', value: (row) => cell(row.user_prompts.at(-1)?.prompt, 40) },
        { heading: 'id', value: (row) => row.id },
      ],
    });
    const pageFull = firstPageSize === (options.limit ?? 100);
    if (options.output === 'table' && !options.all && pageFull) printMore(count, results.at(-1)?.id);
  });
  return interceptions;
}
