/** Output of CLI commands: human tables by default, JSON with `--output json`. */
import { InvalidArgumentError } from 'commander';

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

/** Prints rows as an aligned table, or `json` as indented JSON. */
export function printRows<Row>(input: {
  format: OutputFormat;
  rows: Row[];
  columns: Column<Row>[];
  json?: unknown;
  write?: (text: string) => void;
}): void {
  const write = input.write ?? ((text: string) => process.stdout.write(text));
  if (input.format === 'json') {
    write(`${JSON.stringify(input.json ?? input.rows, null, 2)}\n`);
    return;
  }
  const cells = input.rows.map((row) => input.columns.map((column) => String(column.value(row) ?? '')));
  const headings = input.columns.map((column) => column.heading.toUpperCase());
  const widths = headings.map((heading, index) =>
    Math.max(heading.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const format = (line: string[]) =>
    line
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
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
  const write = input.write ?? ((text: string) => process.stdout.write(text));
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
