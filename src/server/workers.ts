import { availableParallelism } from 'node:os';
import type { Config } from '../config/config.js';

/** The default never forks more than this many workers, however many cores the machine has. */
export const maxDefaultWorkers = 8;

/**
 * How many proxy processes serve the port. The embedded database (PGlite) lives inside the one process
 * that opened its data directory, so it allows one; PostgreSQL takes one per core by default.
 * Returns a one-line reason instead when the configured count cannot be honoured.
 */
export function workerCount(config: Config, cores = availableParallelism()): number | { error: string } {
  if (config.databaseUrl === undefined) {
    if (config.workers !== undefined && config.workers > 1) {
      return {
        error: `${config.workers} workers need a PostgreSQL database (--database-url): the embedded database serves one process`,
      };
    }
    return 1;
  }
  return config.workers ?? Math.max(1, Math.min(cores, maxDefaultWorkers));
}
