/**
 * The lines of the crash journal and their JSON form. Dates travel as ISO strings and are revived field by
 * field (never by a blanket reviver, which would also turn date-like strings inside metadata into Dates).
 */
import type { InterceptionStart, RecordedInterception, UserPromptRecord } from '../core/records.js';

/** What is known of an interception when it is let in, before anything goes upstream. */
export interface Admission {
  start: InterceptionStart;
  /** The user's prompt, if the request has one. */
  prompt: string | null;
}

/** A finished interception without its start: the start is the one its admission line holds. */
export type EndedInterception = Omit<RecordedInterception, 'start'>;

/**
 * One journal line: an interception let in (its prompt as the record it becomes if it is written from the
 * journal, with an id fixed once so a second replay cannot add it twice), or one finished and queued.
 * A finished one is written as `ended`: its start only when it differs from the admitted one (a thread
 * lineage found after admission), since repeating it cost a third of the line's encoding for nothing.
 * `finished` (the whole interception) is the form of earlier versions, still read.
 */
export type JournalEntry =
  | { kind: 'admitted'; start: InterceptionStart; prompt: UserPromptRecord | null }
  | { kind: 'finished'; interception: RecordedInterception }
  | { kind: 'ended'; id: string; start: InterceptionStart | null; interception: EndedInterception };

/** One journal line, with its newline. */
export function encodeEntry(entry: Exclude<JournalEntry, { kind: 'ended' }>): string {
  return `${JSON.stringify(entry)}\n`;
}

/** The `ended` line of a finished interception; `withStart` when its start is not the admitted one. */
export function encodeEnded(interception: RecordedInterception, withStart: boolean): string {
  const { start, end, userPrompts, tokenUsages, toolUsages, modelThoughts } = interception;
  return `${JSON.stringify({
    kind: 'ended',
    id: start.id,
    ...(withStart ? { start } : {}),
    end,
    userPrompts,
    tokenUsages,
    toolUsages,
    modelThoughts,
  })}\n`;
}

/** A journal line back as an entry; null when the line is not one (a torn last line after a crash). */
export function decodeEntry(line: string): JournalEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  if (value.kind === 'admitted' && isRecord(value.start)) {
    const prompt = isRecord(value.prompt) ? (reviveDates(value.prompt) as unknown as UserPromptRecord) : null;
    return {
      kind: 'admitted',
      start: reviveDates(value.start) as unknown as InterceptionStart,
      prompt,
    };
  }
  if (value.kind === 'finished' && isRecord(value.interception)) {
    const interception = decodeInterception(value.interception);
    return interception === null ? null : { kind: 'finished', interception };
  }
  if (value.kind === 'ended' && typeof value.id === 'string') {
    const hasStart = isRecord(value.start);
    const decoded = decodeInterception({ ...value, start: hasStart ? value.start : {} });
    if (decoded === null) return null;
    const { start, ...interception } = decoded;
    return { kind: 'ended', id: value.id, start: hasStart ? start : null, interception };
  }
  if (value.kind === 'queued' && Array.isArray(value.events)) {
    const interception = fromEventList(value.events);
    return interception === null ? null : { kind: 'finished', interception };
  }
  return null;
}

/** Where each record kind of the earlier journal format (one list of record events per line) goes. */
const eventLists = {
  'user-prompt': 'userPrompts',
  'token-usage': 'tokenUsages',
  'tool-usage': 'toolUsages',
  'model-thought': 'modelThoughts',
} as const;

/**
 * A line of the earlier journal format: the record events of one finished interception, as the proxy
 * queued them (start, children, end). Read so that a journal left by that version loses nothing.
 */
function fromEventList(events: unknown[]): RecordedInterception | null {
  const decoded: Record<string, unknown> = {
    userPrompts: [],
    tokenUsages: [],
    toolUsages: [],
    modelThoughts: [],
  };
  for (const event of events) {
    if (!isRecord(event) || !isRecord(event.record)) return null;
    const record = reviveDates(event.record);
    if (event.kind === 'interception-start') decoded.start = record;
    else if (event.kind === 'interception-end') {
      const { id: _id, ...end } = record;
      decoded.end = end;
    } else if (typeof event.kind === 'string' && event.kind in eventLists) {
      (decoded[eventLists[event.kind as keyof typeof eventLists]] as unknown[]).push(record);
    } else return null;
  }
  return decoded.start && decoded.end ? (decoded as unknown as RecordedInterception) : null;
}

const childLists = ['userPrompts', 'tokenUsages', 'toolUsages', 'modelThoughts'] as const;

function decodeInterception(value: Record<string, unknown>): RecordedInterception | null {
  const { start, end } = value;
  if (!isRecord(start) || !isRecord(end)) return null;
  const decoded: Record<string, unknown> = { start: reviveDates(start), end: reviveDates(end) };
  for (const list of childLists) {
    const items = value[list];
    if (!Array.isArray(items) || !items.every(isRecord)) return null;
    decoded[list] = items.map(reviveDates);
  }
  return decoded as unknown as RecordedInterception;
}

/** The date fields of the records (top level only: metadata stays as it was). */
const dateFields = ['startedAt', 'endedAt', 'createdAt'] as const;

function reviveDates(record: Record<string, unknown>): Record<string, unknown> {
  const revived = { ...record };
  for (const field of dateFields) {
    const value = revived[field];
    if (typeof value === 'string') revived[field] = new Date(value);
  }
  return revived;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
