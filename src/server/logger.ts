import { type Logger, pino } from 'pino';
import { logRedactPaths } from '../secrets.js';

/** The structured JSON logger; credentials in logged headers are redacted (see redact.ts). */
export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'aibridge' },
      redact: { paths: logRedactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? process.stdout,
  );
}
