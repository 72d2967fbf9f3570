/**
 * Output of CLI commands: human tables by default, JSON with `--output json`. Tables are padded by
 * display width (wide CJK characters and emoji take two columns), show times in local time and
 * durations in words, and every list says the same thing when it is empty or has more pages.
 * JSON keeps the server's exact values.
 */
import { InvalidArgumentError } from 'commander';
import stringWidth from 'string-width';

export type OutputFormat = 'table' | 'json';

/** A column of a table: its heading and how to read the cell from a row. */
export interface Column<Row> {
  heading: string;
  value: (row: Row) => string | number | null | undefined;
}

/** Validates the `--output` option (commander prints the one-line error). */
export function parseOutputFormat(value: string): OutputFormat {
  if (value !== 'table' && value !== 'json') throw new InvalidArgumentError('expected "table" or "json".');
  return value;
}

const stdout = (text: string) => {
  process.stdout.write(text);
};

/** Pads `text` with spaces to `width` display columns. */
function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/**
 * Prints rows as an aligned table (numbers right-aligned), or `json` as indented JSON. An empty table
 * prints `No <noun> found.` instead of a lone heading.
 */
export function printRows<Row>(input: {
  format: OutputFormat;
  rows: Row[];
  columns: Column<Row>[];
  /** The plural noun of the rows, for the empty state: "interceptions". */
  noun: string;
  json?: unknown;
  write?: (text: string) => void;
}): void {
  const write = input.write ?? stdout;
  if (input.format === 'json') {
    write(`${JSON.stringify(input.json ?? input.rows, null, 2)}\n`);
    return;
  }
  if (input.rows.length === 0) {
    write(`No ${input.noun} found.\n`);
    return;
  }
  const values = input.rows.map((row) => input.columns.map((column) => column.value(row)));
  const numeric = input.columns.map((_column, index) =>
    values.every((line) => typeof line[index] === 'number' || line[index] == null),
  );
  const cells = values.map((line) => line.map((value) => String(value ?? '')));
  const headings = input.columns.map((column) => column.heading.toUpperCase());
  const widths = headings.map((heading, index) =>
    Math.max(stringWidth(heading), ...cells.map((line) => stringWidth(line[index] ?? ''))),
  );
  const format = (line: string[]) =>
    line
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        return numeric[index]
          ? ' '.repeat(Math.max(0, width - stringWidth(cell))) + cell
          : padToWidth(cell, width);
      })
      .join('  ')
      .trimEnd();
  write(`${[format(headings), ...cells.map(format)].join('\n')}\n`);
}

/** Prints one object: `key: value` lines, or JSON. */
export function printObject(input: {
  format: OutputFormat;
  value: Record<string, unknown>;
  write?: (text: string) => void;
}): void {
  const write = input.write ?? stdout;
  if (input.format === 'json') {
    write(`${JSON.stringify(input.value, null, 2)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(input.value).map((key) => key.length));
  const lines = Object.entries(input.value).map(([key, value]) => {
    const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '');
    return `${`${key}:`.padEnd(width + 1)} ${text}`;
  });
  write(`${lines.join('\n')}\n`);
}

/**
 * Tells a person that more results follow and how to get them, in one form for every list (on stderr:
 * stdout stays the table). `next` is the flag and value that fetch the next page.
 */
export function printPagingHint(input: {
  format: OutputFormat;
  all: boolean | undefined;
  /** Whether the page came back full (so more may follow). */
  full: boolean;
  count?: number;
  next: string | undefined;
}): void {
  if (input.format !== 'table' || input.all || !input.full || input.next === undefined) return;
  const total = input.count === undefined ? 'More may follow' : `${input.count} in all`;
  process.stderr.write(`${total}. Next page: ${input.next} (or --all).\n`);
}

const pad = (value: number) => String(value).padStart(2, '0');

/** An RFC 3339 time as local `YYYY-MM-DD HH:MM:SS`; empty for none. */
export function humanTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The time between two RFC 3339 times in words: `850ms`, `12.3s`, `4m 05s`, `2h 03m`; empty if open. */
export function humanDuration(
  startIso: string | null | undefined,
  endIso: string | null | undefined,
): string {
  if (!startIso || !endIso) return '';
  const ms = new Date(endIso).getTime() - new Date(startIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${pad(Math.floor((seconds % 3600) / 60))}m`;
}

const segmenter = new Intl.Segmenter();

/** Shortens text for a table cell: one line, at most `width` display columns (cut between graphemes). */
export function cell(text: string | null | undefined, width = 60): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  if (stringWidth(line) <= width) return line;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(line)) {
    const next = stringWidth(segment);
    if (used + next > width - 1) break;
    out += segment;
    used += next;
  }
  return `${out}…`;
}
