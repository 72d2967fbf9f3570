import { Command } from 'commander';
import { sessionsGrammar } from '../../search/parse-search-query.js';
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

interface TokenSums {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
}

/** A session as the API returns it (the fields the table shows). */
interface SessionJson {
  id: string;
  initiator: { username: string };
  client: string;
  models: string[];
  threads: number;
  errors: number;
  last_prompt: string | null;
  last_active_at: string;
  token_usage_summary: TokenSums;
}

interface ThreadJson {
  id: string;
  prompt: string | null;
  model: string;
  started_at: string;
  token_usage: TokenSums;
  agentic_actions: { tool_calls: unknown[] }[];
}

interface SessionThreadsJson {
  id: string;
  initiator: { username: string };
  client: string;
  models: string[];
  started_at: string;
  ended_at: string;
  threads: ThreadJson[];
  token_usage_summary: TokenSums & { metadata: Record<string, number> };
  [key: string]: unknown;
}

/** The flags follow the route's grammar, which the search key table defines. */
const keys = sessionsGrammar.keys;

/** `aibridge sessions list|show`. */
export function sessionsCommand(): Command {
  const sessions = new Command('sessions').description('list sessions and show their threads');

  const list = sessions.command('list').description('list sessions, most recently active first');
  withClientOptions(
    withPagingFlags(withSearchFlags(list, keys), { cursor: 'start after this session id', offset: true }),
  );
  list.action(async (options: ClientCommandOptions & SearchFlags & PagingFlags) => {
    const client = clientFor(options);
    const q = searchQueryOf(options, keys);
    const { count, rows, firstPageSize } = await collectPages({
      flags: options,
      fetchPage: async (after, offset) => {
        const page = await client.request<{ count: number; sessions: SessionJson[] }>(
          'GET',
          `/api/v2/aibridge/sessions${queryString({ q, limit: options.limit, after_session_id: after, offset })}`,
        );
        return { count: page.count, rows: page.sessions };
      },
    });
    printRows({
      format: options.output,
      rows,
      noun: 'sessions',
      json: { count, sessions: rows },
      columns: [
        { heading: 'last active', value: (row) => humanTime(row.last_active_at) },
        { heading: 'initiator', value: (row) => row.initiator.username },
        { heading: 'client', value: (row) => row.client },
        { heading: 'models', value: (row) => row.models.join(',') },
        { heading: 'threads', value: (row) => row.threads },
        { heading: 'errors', value: (row) => row.errors },
        { heading: 'in', value: (row) => row.token_usage_summary.input_tokens },
        { heading: 'out', value: (row) => row.token_usage_summary.output_tokens },
        { heading: 'last prompt', value: (row) => cell(row.last_prompt, 40) },
        { heading: 'id', value: (row) => row.id },
      ],
    });
    printPagingHint({
      format: options.output,
      all: options.all,
      full: firstPageSize === (options.limit ?? 100),
      count,
      next: rows.length > 0 ? `--after-id ${rows.at(-1)?.id}` : undefined,
    });
  });

  const show = sessions
    .command('show')
    .description('show a session and its threads, oldest first')
    .argument('<id>', 'session id (client session id or interception id)')
    .option('--before-id <id>', 'the threads before this thread');
  withClientOptions(withPagingFlags(show, { cursor: 'the threads after this thread', offset: false }));
  show.action(async (id: string, options: ClientCommandOptions & PagingFlags & { beforeId?: string }) => {
    const client = clientFor(options);
    const fetchPage = (after: string | undefined) =>
      client.request<SessionThreadsJson>(
        'GET',
        `/api/v2/aibridge/sessions/${encodeURIComponent(id)}${queryString({
          limit: options.limit,
          after_id: after,
          before_id: options.beforeId,
        })}`,
      );
    const session = await fetchPage(options.afterId);
    const threads = [...session.threads];
    let last = session.threads;
    while (options.all && !options.beforeId && last.length > 0) {
      last = (await fetchPage(threads.at(-1)?.id)).threads;
      threads.push(...last);
    }
    if (options.output === 'json') {
      printObject({ format: 'json', value: { ...session, threads } });
      return;
    }
    const summary = session.token_usage_summary;
    printObject({
      format: 'table',
      value: {
        id: session.id,
        initiator: session.initiator.username,
        client: session.client,
        models: session.models.join(', '),
        started: humanTime(session.started_at),
        duration: humanDuration(session.started_at, session.ended_at),
        tokens: `in ${summary.input_tokens}, out ${summary.output_tokens}, cache read ${summary.cache_read_input_tokens}, cache write ${summary.cache_write_input_tokens}`,
      },
    });
    process.stdout.write('\n');
    printRows({
      format: 'table',
      rows: threads,
      noun: 'threads',
      columns: [
        { heading: 'started', value: (thread) => humanTime(thread.started_at) },
        { heading: 'model', value: (thread) => thread.model },
        { heading: 'actions', value: (thread) => thread.agentic_actions.length },
        {
          heading: 'tool calls',
          value: (thread) =>
            thread.agentic_actions.reduce((total, action) => total + action.tool_calls.length, 0),
        },
        { heading: 'in', value: (thread) => thread.token_usage.input_tokens },
        { heading: 'out', value: (thread) => thread.token_usage.output_tokens },
        { heading: 'prompt', value: (thread) => cell(thread.prompt, 50) },
        { heading: 'id', value: (thread) => thread.id },
      ],
    });
  });
  return sessions;
}
