import { Command } from 'commander';
import { interceptionsGrammar } from '../../search/parse-search-query.js';
import { type ClientCommandOptions, clientFor, withClientOptions } from '../client-command.js';
import { cell, humanDuration, humanTime, printObject, printPagingHint, printRows } from '../output.js';
import {
  collectPages,
  type PagingFlags,
  queryString,
  type SearchFlags,
  searchQueryOf,
  withPagingFlags,
  withSearchFlags,
} from '../query-flags.js';

/** An interception as the API returns it (the fields the CLI shows). */
interface InterceptionJson {
  id: string;
  initiator: { username: string };
  provider: string;
  provider_name: string;
  model: string;
  client: string;
  started_at: string;
  ended_at: string | null;
  metadata: Record<string, unknown>;
  token_usages: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_write_input_tokens: number;
  }[];
  tool_usages: { tool: string; input: string; created_at: string }[];
  error_type: string | null;
  upstream_status: number | null;
  user_prompts: { prompt: string }[];
}

interface InterceptionsPage {
  count: number;
  results: InterceptionJson[];
}

/** The flags follow the route's grammar, which the search key table defines. */
const keys = interceptionsGrammar.keys;

type TokenField = keyof InterceptionJson['token_usages'][number];
const sum = (row: InterceptionJson, field: TokenField) =>
  row.token_usages.reduce((total, usage) => total + usage[field], 0);

/** `ok`, or the failure class with the provider's HTTP status when one was received: `rate_limit 429`. */
function statusOf(row: InterceptionJson): string {
  if (row.error_type === null) return 'ok';
  return row.upstream_status === null ? row.error_type : `${row.error_type} ${row.upstream_status}`;
}

/** `aibridge interceptions list|show`. */
export function interceptionsCommand(): Command {
  const interceptions = new Command('interceptions').description('list and show recorded interceptions');
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
      noun: 'interceptions',
      json: { count, results },
      columns: [
        { heading: 'started', value: (row) => humanTime(row.started_at) },
        { heading: 'took', value: (row) => humanDuration(row.started_at, row.ended_at) },
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
    printPagingHint({
      format: options.output,
      all: options.all,
      full: firstPageSize === (options.limit ?? 100),
      count,
      next: results.length > 0 ? `--after-id ${results.at(-1)?.id}` : undefined,
    });
  });

  withClientOptions(
    interceptions
      .command('show')
      .description('show one interception: its prompt, token usage and tool calls')
      .argument('<id>', 'interception id'),
  ).action(async (id: string, options: ClientCommandOptions) => {
    const found = await clientFor(options).request<InterceptionJson>(
      'GET',
      `/api/v2/aibridge/interceptions/${encodeURIComponent(id)}`,
    );
    if (options.output === 'json') {
      printObject({ format: 'json', value: { ...found } });
      return;
    }
    printObject({
      format: 'table',
      value: {
        id: found.id,
        initiator: found.initiator.username,
        provider: `${found.provider_name} (${found.provider})`,
        model: found.model,
        client: found.client,
        started: humanTime(found.started_at),
        took: humanDuration(found.started_at, found.ended_at),
        tokens: `in ${sum(found, 'input_tokens')}, out ${sum(found, 'output_tokens')}, cache read ${sum(found, 'cache_read_input_tokens')}, cache write ${sum(found, 'cache_write_input_tokens')}`,
        prompt: cell(found.user_prompts.at(-1)?.prompt, 200),
        status: statusOf(found),
      },
    });
    process.stdout.write('\n');
    printRows({
      format: 'table',
      rows: found.tool_usages,
      noun: 'tool calls',
      columns: [
        { heading: 'at', value: (tool) => humanTime(tool.created_at) },
        { heading: 'tool', value: (tool) => tool.tool },
        { heading: 'input', value: (tool) => cell(tool.input, 80) },
      ],
    });
  });
  return interceptions;
}
