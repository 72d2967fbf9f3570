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
import type { InterceptionStart, RecordEvent, UserPromptRecord } from '../core/records.js';
import { Journal, type Segment } from './journal.js';
import { decodeEntry, interceptionIdOf } from './journal-entry.js';

/** The error text of an interception the process did not live to finish. */
export const interruptedError = 'interrupted: the bridge stopped before this interception finished';

/** What the journal held for one interception. */
interface Found {
  start: InterceptionStart | null;
  prompt: UserPromptRecord | null;
  /** Events queued for the database, in order. */
  events: RecordEvent[];
}

/** The journal, open for appends, and the events an earlier run left to write. */
export interface OpenedJournal {
  journal: Journal;
  /** Events to queue before anything else. */
  replay: RecordEvent[];
  finished: number;
  interrupted: number;
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
      if (entry.kind === 'admitted') {
        const item = entryFor(found, entry.start.id);
        item.start ??= entry.start;
        item.prompt ??= entry.prompt;
        segment.pending.add(entry.start.id);
      } else {
        for (const event of entry.events) {
          const id = interceptionIdOf(event);
          entryFor(found, id).events.push(event);
          segment.pending.add(id);
        }
      }
    }
  }
  const replay: RecordEvent[] = [];
  const unusable: RecordEvent[] = [];
  let finished = 0;
  let interrupted = 0;
  for (const [id, item] of found) {
    if (item.events.some((event) => event.kind === 'interception-end')) {
      replay.push(...item.events);
      finished += 1;
      continue;
    }
    let start = item.start;
    for (const event of item.events) if (event.kind === 'interception-start') start = event.record;
    if (start === null) {
      logger.warn({ interceptionId: id }, 'crash journal holds records of an interception without its start');
      // Released at once, so its segments do not stay forever.
      unusable.push({
        kind: 'interception-end',
        record: { id, endedAt: new Date(), upstreamStatus: null, error: null },
      });
      continue;
    }
    replay.push(...interruptedEvents({ start, prompt: item.prompt, events: item.events, lastAlive }));
    interrupted += 1;
  }
  const journal = new Journal({ directory, logger, earlier: segments });
  journal.written(unusable);
  return { journal, replay, finished, interrupted };
}

function entryFor(found: Map<string, Found>, id: string): Found {
  let item = found.get(id);
  if (item === undefined) {
    item = { start: null, prompt: null, events: [] };
    found.set(id, item);
  }
  return item;
}

/** The records of an interception that never finished: its start, its prompt, and an interrupted end. */
function interruptedEvents(input: {
  start: InterceptionStart;
  prompt: UserPromptRecord | null;
  events: RecordEvent[];
  lastAlive: number;
}): RecordEvent[] {
  const { start } = input;
  const events: RecordEvent[] = input.events.some((event) => event.kind === 'interception-start')
    ? [...input.events]
    : [{ kind: 'interception-start', record: start }, ...input.events];
  if (input.prompt !== null && !events.some((event) => event.kind === 'user-prompt')) {
    events.push({ kind: 'user-prompt', record: input.prompt });
  }
  events.push({
    kind: 'interception-end',
    record: {
      id: start.id,
      endedAt: new Date(Math.max(input.lastAlive, start.startedAt.getTime())),
      upstreamStatus: null,
      error: interruptedError,
      metadata: { interrupted: true },
    },
  });
  return events;
}
