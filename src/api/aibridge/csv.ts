/**
 * CSV export of the interceptions and sessions lists (`format=csv`): every matching row the caller may
 * see, read page by page with the lists' keyset cursors and streamed as it is read, so an export of a
 * million rows holds one page in memory. RFC 4180 quoting; a text cell that a spreadsheet would run as a
 * formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { listInterceptionsJson } from '../../store/query-interceptions.js';
import { listSessionsJson } from '../../store/query-sessions.js';
import type { RecordFilter, Visibility } from '../../store/record-filter.js';
import type { ApiContext } from '../api-context.js';

const pageSize = 500;

type Cell = string | number | boolean | null | undefined;

/** One CSV cell. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line, CRLF-terminated as RFC 4180 says. */
export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Whether the request asks for CSV; any other `format` than `json` or `csv` is a validation error. */
export function wantsCsv(query: unknown, validations: { field: string; detail: string }[]): boolean {
  const format =
    query !== null && typeof query === 'object' ? (query as Record<string, unknown>).format : undefined;
  if (format === undefined || format === '' || format === 'json') return false;
  if (format === 'csv') return true;
  validations.push({ field: 'format', detail: `Must be json or csv, not "${String(format)}".` });
  return false;
}

/** Sends `lines` as a CSV download named `name`; a failure mid-way is logged and cuts the download short. */
function sendCsv(input: {
  request: FastifyRequest;
  reply: FastifyReply;
  name: string;
  header: readonly string[];
  rows: () => AsyncGenerator<Cell[][]>;
}): FastifyReply {
  const { request, reply } = input;
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(input.header);
    for await (const page of input.rows()) yield page.map(csvLine).join('');
  }
  const stream = Readable.from(lines());
  stream.on('error', (error) => request.log.error({ err: error, url: request.url }, 'CSV export failed'));
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
  reply.type('text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${input.name}-${stamp}.csv"`);
  reply.header('cache-control', 'no-store');
  return reply.send(stream);
}

interface ExportQuery {
  context: ApiContext;
  request: FastifyRequest;
  reply: FastifyReply;
  filter: RecordFilter;
  visibleTo: Visibility;
}

/** A field of a row read as JSON text by the interceptions list (error fields may be absent). */
type InterceptionJson = {
  id: string;
  api_key_id: string | null;
  initiator: { id: string; username: string };
  provider: string;
  provider_name: string;
  model: string;
  client: string;
  metadata: Record<string, unknown>;
  started_at: string;
  ended_at: string;
  token_usages: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_write_input_tokens: number;
  }[];
  user_prompts: { prompt: string }[];
  tool_usages: { tool: string }[];
  upstream_status?: number | null;
  error_type?: string | null;
  error_message?: string | null;
};

const interceptionHeader = [
  'id',
  'started_at',
  'ended_at',
  'initiator_id',
  'initiator_username',
  'provider',
  'provider_name',
  'model',
  'client',
  'api_key_id',
  'user_agent',
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_write_input_tokens',
  'tool_calls',
  'tools',
  'upstream_status',
  'error_type',
  'error_message',
  'prompt',
];

function interceptionCells(row: InterceptionJson): Cell[] {
  const sum = (field: keyof InterceptionJson['token_usages'][number]) =>
    row.token_usages.reduce((total, usage) => total + usage[field], 0);
  const userAgent = row.metadata.user_agent;
  return [
    row.id,
    row.started_at,
    row.ended_at,
    row.initiator.id,
    row.initiator.username,
    row.provider,
    row.provider_name,
    row.model,
    row.client,
    row.api_key_id,
    typeof userAgent === 'string' ? userAgent : null,
    sum('input_tokens'),
    sum('output_tokens'),
    sum('cache_read_input_tokens'),
    sum('cache_write_input_tokens'),
    row.tool_usages.length,
    [...new Set(row.tool_usages.map((tool) => tool.tool))].join(' '),
    row.upstream_status ?? null,
    row.error_type ?? null,
    row.error_message ?? null,
    row.user_prompts.at(-1)?.prompt ?? null,
  ];
}

/** Streams every matching interception, newest first. */
export function exportInterceptions(query: ExportQuery): FastifyReply {
  const db = query.context.store.db;
  return sendCsv({
    request: query.request,
    reply: query.reply,
    name: 'interceptions',
    header: interceptionHeader,
    async *rows() {
      let afterId: string | null = null;
      for (;;) {
        const text = await listInterceptionsJson(db, {
          filter: query.filter,
          visibleTo: query.visibleTo,
          limit: pageSize,
          offset: 0,
          afterId,
        });
        const page = JSON.parse(text) as InterceptionJson[];
        if (page.length > 0) yield page.map(interceptionCells);
        if (page.length < pageSize) return;
        afterId = page[page.length - 1]?.id ?? null;
      }
    },
  });
}

/** The fields of a session, as the sessions list writes it. */
type SessionJson = {
  id: string;
  initiator: { id: string; username: string };
  client: string | null;
  providers: string[];
  models: string[];
  threads: number;
  started_at: string;
  ended_at: string;
  last_active_at: string;
  token_usage_summary: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_write_input_tokens: number;
  };
  last_prompt: string | null;
};

const sessionHeader = [
  'id',
  'initiator_id',
  'initiator_username',
  'client',
  'providers',
  'models',
  'threads',
  'started_at',
  'ended_at',
  'last_active_at',
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_write_input_tokens',
  'last_prompt',
];

/** Streams every matching session, most recently active first. */
export function exportSessions(query: ExportQuery): FastifyReply {
  const db = query.context.store.db;
  return sendCsv({
    request: query.request,
    reply: query.reply,
    name: 'sessions',
    header: sessionHeader,
    async *rows() {
      let after: { initiatorId: string; sessionKey: string } | null = null;
      for (;;) {
        const text = await listSessionsJson(db, {
          filter: query.filter,
          visibleTo: query.visibleTo,
          limit: pageSize,
          offset: 0,
          after,
        });
        const page = JSON.parse(text) as SessionJson[];
        if (page.length > 0) {
          yield page.map((wire) => [
            wire.id,
            wire.initiator.id,
            wire.initiator.username,
            wire.client,
            wire.providers.join(' '),
            wire.models.join(' '),
            wire.threads,
            wire.started_at,
            wire.ended_at,
            wire.last_active_at,
            wire.token_usage_summary.input_tokens,
            wire.token_usage_summary.output_tokens,
            wire.token_usage_summary.cache_read_input_tokens,
            wire.token_usage_summary.cache_write_input_tokens,
            wire.last_prompt,
          ]);
        }
        if (page.length < pageSize) return;
        const last = page[page.length - 1];
        after = last ? { initiatorId: last.initiator.id, sessionKey: last.id } : null;
      }
    },
  });
}
