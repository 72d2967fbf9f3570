/**
 * Replay of the crash journal at start: what an earlier run let in but had not written to the database.
 * Finished interceptions are written exactly as they were queued; those still in flight when the process
 * died are written as ended with an error starting with `interrupted` and `metadata.interrupted: true`,
 * with what was known when they were let in (user, key, provider, model, prompt, client, session).
 * Replaying twice writes nothing twice: every record keeps the id it was journaled with, and the write
 * path skips ids already present.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { InterceptionStart, RecordedInterception, UserPromptRecord } from '../core/records.js';
import { Journal, type Segment } from './journal.js';
import { decodeEntry, type EndedInterception } from './journal-entry.js';

/** The error text of an interception the process did not live to finish. */
export const interruptedError = 'interrupted: the bridge stopped before this interception finished';

/** What the journal held for one interception: its admission, or it finished, or both. */
interface Found {
  admitted: { start: InterceptionStart; prompt: UserPromptRecord | null } | null;
  finished: RecordedInterception | null;
  /** Finished, in the line form that leaves the start to the admission line. */
  ended: { start: InterceptionStart | null; interception: EndedInterception } | null;
}

/** The journal, open for appends, and the interceptions an earlier run left to write. */
export interface OpenedJournal {
  journal: Journal;
  /** Interceptions to queue before anything else. */
  replay: RecordedInterception[];
  finished: number;
  interrupted: number;
}

/**
 * The crash journal directory of a server run as one process (`<data-dir>/journal`), or of its cluster
 * worker `worker` (`<data-dir>/journal/worker-<n>`): each process appends to a journal of its own, so no
 * two processes ever write one file.
 */
export function journalDirectory(dataDir: string, worker?: number): string {
  const root = join(dataDir, 'journal');
  return worker === undefined ? root : join(root, `worker-${worker}`);
}

/** The workers' journal directories present under a data directory (left by a run with `--workers`). */
export function workerJournalDirectories(dataDir: string): string[] {
  const root = journalDirectory(dataDir);
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && /^worker-\d+$/.test(entry.name))
      .map((entry) => join(root, entry.name))
      .sort();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
}

/** Reads what an earlier run left in `directory` and opens the journal for this run. */
export function openJournal(options: { directory: string; logger: Logger }): OpenedJournal {
  const { directory, logger } = options;
  mkdirSync(directory, { recursive: true });
  const names = readdirSync(directory)
    .filter((name) => /^\d+\.jsonl$/.test(name))
    .sort();
  const segments: Segment[] = [];
  const found = new Map<string, Found>();
  // The last moment the earlier run is known to have been alive: when it last wrote to its journal.
  let lastAlive = 0;
  for (const name of names) {
    const path = join(directory, name);
    const segment: Segment = { sequence: Number(name.slice(0, -'.jsonl'.length)), path, pending: new Set() };
    segments.push(segment);
    lastAlive = Math.max(lastAlive, statSync(path).mtimeMs);
    const lines = readFileSync(path, 'utf8').split('\n');
    for (const [index, line] of lines.entries()) {
      if (line === '') continue;
      const entry = decodeEntry(line);
      if (entry === null) {
        logger.warn({ path, line: index + 1 }, 'skipping an unreadable crash journal line');
        continue;
      }
      const id =
        entry.kind === 'admitted'
          ? entry.start.id
          : entry.kind === 'ended'
            ? entry.id
            : entry.interception.start.id;
      const item = entryFor(found, id);
      if (entry.kind === 'admitted') item.admitted ??= { start: entry.start, prompt: entry.prompt };
      else if (entry.kind === 'ended')
        item.ended ??= { start: entry.start, interception: entry.interception };
      else item.finished ??= entry.interception;
      segment.pending.add(id);
    }
  }
  const replay: RecordedInterception[] = [];
  let finished = 0;
  let interrupted = 0;
  for (const [id, item] of found) {
    const start = item.ended?.start ?? item.admitted?.start;
    if (item.finished !== null) {
      replay.push(item.finished);
      finished += 1;
    } else if (item.ended !== null && start !== undefined) {
      replay.push({ start, ...item.ended.interception });
      finished += 1;
    } else if (item.admitted !== null) {
      replay.push(interruptedInterception({ ...item.admitted, lastAlive }));
      interrupted += 1;
    } else {
      // An ended line whose admission line is gone: only a hand-edited or damaged journal does that.
      logger.warn({ interceptionId: id }, 'skipping a finished interception whose admission is missing');
    }
  }
  const journal = new Journal({ directory, logger, earlier: segments });
  return { journal, replay, finished, interrupted };
}

function entryFor(found: Map<string, Found>, id: string): Found {
  let item = found.get(id);
  if (item === undefined) {
    item = { admitted: null, finished: null, ended: null };
    found.set(id, item);
  }
  return item;
}

/** An interception that never finished: what was known when it was let in, and an interrupted end. */
function interruptedInterception(input: {
  start: InterceptionStart;
  prompt: UserPromptRecord | null;
  lastAlive: number;
}): RecordedInterception {
  const { start } = input;
  return {
    start,
    end: {
      endedAt: new Date(Math.max(input.lastAlive, start.startedAt.getTime())),
      upstreamStatus: null,
      error: interruptedError,
      metadata: { interrupted: true },
    },
    userPrompts: input.prompt === null ? [] : [input.prompt],
    tokenUsages: [],
    toolUsages: [],
    modelThoughts: [],
  };
}
