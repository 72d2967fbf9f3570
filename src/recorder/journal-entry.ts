/**
 * The lines of the crash journal and their JSON form. Dates travel as ISO strings and are revived field by
 * field (never by a blanket reviver, which would also turn date-like strings inside metadata into Dates).
 */
import type { InterceptionStart, RecordEvent, UserPromptRecord } from '../core/records.js';

/** What is known of an interception when it is let in, before anything goes upstream. */
export interface Admission {
  start: InterceptionStart;
  /** The user's prompt, if the request has one. */
  prompt: string | null;
}

/**
 * One journal line: an interception let in (its prompt as the record it becomes if it is written from the
 * journal, with an id fixed once so a second replay cannot add it twice), or finished records queued.
 */
export type JournalEntry =
  | { kind: 'admitted'; start: InterceptionStart; prompt: UserPromptRecord | null }
  | { kind: 'queued'; events: RecordEvent[] };

/** One journal line, with its newline. */
export function encodeEntry(entry: JournalEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** A journal line back as an entry; null when the line is not one (a torn last line after a crash). */
export function decodeEntry(line: string): JournalEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const entry = value as Record<string, unknown>;
  if (entry.kind === 'admitted' && isRecord(entry.start)) {
    const prompt = isRecord(entry.prompt) ? (reviveDates(entry.prompt) as unknown as UserPromptRecord) : null;
    return {
      kind: 'admitted',
      start: reviveDates(entry.start) as unknown as InterceptionStart,
      prompt,
    };
  }
  if (entry.kind === 'queued' && Array.isArray(entry.events)) {
    const events: RecordEvent[] = [];
    for (const event of entry.events) {
      if (!isRecord(event) || typeof event.kind !== 'string' || !isRecord(event.record)) return null;
      events.push({ kind: event.kind, record: reviveDates(event.record) } as unknown as RecordEvent);
    }
    return { kind: 'queued', events };
  }
  return null;
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

/** The interception an event belongs to. */
export function interceptionIdOf(event: RecordEvent): string {
  switch (event.kind) {
    case 'interception-start':
    case 'interception-end':
      return event.record.id;
    default:
      return event.record.interceptionId;
  }
}
