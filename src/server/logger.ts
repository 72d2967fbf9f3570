import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogFormat } from '../config/config.js';
import { logRedactPaths } from '../providers/redact.js';
import { formatLogLine } from './format-log-line.js';

/** Where log lines go: a stream with a `write` and, for the format choice, whether it is a terminal. */
export type LogDestination = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * The logger: JSON lines for machines, or compact one-line text for people (`auto` picks text when the
 * destination is a terminal). Credentials in logged headers are redacted (see redact.ts) in both formats,
 * because the text format is rendered from the JSON line pino has already redacted.
 */
export function createLogger(options: {
  level: string;
  format?: LogFormat;
  destination?: LogDestination;
}): Logger {
  const destination = options.destination ?? process.stdout;
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && destination.isTTY === true);
  const colors = pretty && destination.isTTY === true && !process.env.NO_COLOR;
  const stream: DestinationStream = pretty
    ? { write: (line: string) => destination.write(formatLogLine(line, { colors })) }
    : destination;
  return pino(
    {
      level: options.level,
      base: { service: 'aibridge' },
      redact: { paths: logRedactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}
