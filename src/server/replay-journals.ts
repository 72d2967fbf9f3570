/**
 * Replay of crash journals no running process owns: at a cluster's start the primary writes what every
 * worker's journal holds before it forks any worker, and a single-process server writes what the workers
 * of an earlier `--workers` run left. A journal directory of a worker index no longer used is removed
 * once empty.
 */
import { rmdirSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { RecordedInterception } from '../core/records.js';
import { Recorder } from '../recorder/recorder.js';
import { openJournal } from '../recorder/replay-journal.js';
import type { Database } from '../store/schema.js';

/** Writes what each journal directory holds; resolves once it is all in the database. */
export async function replayJournalDirectories(input: {
  directories: readonly string[];
  db: Kysely<Database>;
  logger: Logger;
  write: (db: Kysely<Database>, interceptions: readonly RecordedInterception[]) => Promise<void>;
  /** Directories to keep even when empty (the one this process goes on to use). */
  keep?: readonly string[];
}): Promise<void> {
  for (const directory of input.directories) {
    const opened = openJournal({ directory, logger: input.logger });
    try {
      if (opened.replay.length > 0) {
        input.logger.warn(
          { journal: directory, finished: opened.finished, interrupted: opened.interrupted },
          'writing the interceptions an earlier run left in its crash journal',
        );
        // The recorder's writer retries while the database is away, and empties the journal as it writes.
        const recorder = new Recorder({
          db: input.db,
          logger: input.logger,
          capacity: Number.POSITIVE_INFINITY,
          journal: opened.journal,
          write: input.write,
        });
        recorder.replay(opened.replay);
        await recorder.drain();
      }
    } finally {
      opened.journal.close();
    }
    if (input.keep?.includes(directory)) continue;
    try {
      rmdirSync(directory);
    } catch {
      // Not empty (a segment could not be removed) or already gone: the next start looks again.
    }
  }
}
