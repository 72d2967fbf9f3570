/**
 * The crash journal: every interception let in, and every finished interception queued for the database,
 * is appended to a local file before the proxy goes on, so a killed process loses nothing (the journal
 * replays at the next start: finished ones are written as they were, unfinished ones as interrupted).
 *
 * Why a journal and not a synchronous insert at admission: the append is a write(2) into the page cache
 * (about 10 µs), not a database round trip on every request's path (and none at all while the database
 * is down). It is not fsynced per request: it survives a killed process, not a power loss (the kernel
 * holds the data), which keeps it off the latency budget (see BENCHMARKS.md, "Crash journal").
 *
 * The journal is a sequence of segment files `<n>.jsonl`. A segment is deleted (or, for the one being
 * written, truncated) once every interception it mentions has its end written to the database.
 */
import { closeSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { newId } from '../core/ids.js';
import type { RecordEvent } from '../core/records.js';
import { type Admission, encodeEntry, interceptionIdOf } from './journal-entry.js';

/** A journal file and the interceptions it mentions whose end is not in the database yet. */
export interface Segment {
  sequence: number;
  path: string;
  pending: Set<string>;
}

/** Options of {@link Journal}. */
export interface JournalOptions {
  directory: string;
  logger: Logger;
  /** Segments left by an earlier run, still needed until their interceptions are written. */
  earlier?: readonly Segment[];
  /** Size at which the segment being written is closed and a new one started. */
  maxSegmentBytes?: number;
}

/** The segment file name of a sequence number; sorting the names sorts the segments. */
export function segmentFileName(sequence: number): string {
  return `${String(sequence).padStart(12, '0')}.jsonl`;
}

export class Journal {
  readonly #directory: string;
  readonly #logger: Logger;
  readonly #maxSegmentBytes: number;
  /** Segments mentioning each interception not yet written. */
  readonly #segmentsOf = new Map<string, Segment[]>();
  #current: Segment;
  #fd: number | null = null;
  #bytes = 0;
  #lastFailureLog = 0;
  #healthy = true;

  constructor(options: JournalOptions) {
    this.#directory = options.directory;
    this.#logger = options.logger;
    this.#maxSegmentBytes = options.maxSegmentBytes ?? 16 * 1024 * 1024;
    const earlier = options.earlier ?? [];
    this.#current = this.#newSegment(Math.max(0, ...earlier.map((segment) => segment.sequence)) + 1);
    for (const segment of earlier) {
      for (const id of segment.pending)
        this.#segmentsOf.set(id, [...(this.#segmentsOf.get(id) ?? []), segment]);
      if (segment.pending.size === 0) this.#remove(segment);
    }
  }

  /** Appends an interception let in; it stays in the journal until its end is written. */
  admit(admission: Admission): void {
    const { start } = admission;
    const prompt =
      admission.prompt === null
        ? null
        : {
            id: newId(),
            interceptionId: start.id,
            providerResponseId: '',
            prompt: admission.prompt,
            metadata: {},
            createdAt: start.startedAt,
          };
    this.#append(encodeEntry({ kind: 'admitted', start, prompt }), [start.id]);
  }

  /** Appends events queued for the database. */
  queued(events: readonly RecordEvent[]): void {
    if (events.length === 0) return;
    const ids = new Set<string>();
    for (const event of events) ids.add(interceptionIdOf(event));
    this.#append(encodeEntry({ kind: 'queued', events: [...events] }), ids);
  }

  /** Called once events are in the database: interceptions whose end was written leave the journal. */
  written(events: readonly RecordEvent[]): void {
    for (const event of events) {
      if (event.kind !== 'interception-end') continue;
      const segments = this.#segmentsOf.get(event.record.id);
      if (segments === undefined) continue;
      this.#segmentsOf.delete(event.record.id);
      for (const segment of segments) {
        segment.pending.delete(event.record.id);
        if (segment.pending.size === 0) this.#remove(segment);
      }
    }
  }

  /** Whether every append so far succeeded (else some interceptions exist in memory only). */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** Interceptions in the journal whose end is not written yet. */
  get pending(): number {
    return this.#segmentsOf.size;
  }

  /** Closes the file; what it holds stays for the next start. */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #append(line: string, ids: Iterable<string>): void {
    try {
      this.#fd ??= openSync(this.#current.path, 'a');
      this.#bytes += writeSync(this.#fd, line);
    } catch (error) {
      this.#healthy = false;
      // The request is still served and queued for the database; only the crash safety is missing.
      const now = Date.now();
      if (now - this.#lastFailureLog > 10_000) {
        this.#lastFailureLog = now;
        this.#logger.error({ err: error, path: this.#current.path }, 'cannot append to the crash journal');
      }
      return;
    }
    for (const id of ids) this.#mention(id, this.#current);
    if (this.#bytes >= this.#maxSegmentBytes) {
      this.close();
      const full = this.#current;
      this.#current = this.#newSegment(full.sequence + 1);
      if (full.pending.size === 0) this.#remove(full);
    }
  }

  #mention(id: string, segment: Segment): void {
    if (segment.pending.has(id)) return;
    segment.pending.add(id);
    const segments = this.#segmentsOf.get(id);
    if (segments === undefined) this.#segmentsOf.set(id, [segment]);
    else segments.push(segment);
  }

  /** Drops a segment whose interceptions are all written: the one being written is emptied in place. */
  #remove(segment: Segment): void {
    try {
      if (segment === this.#current) {
        if (this.#fd !== null && this.#bytes > 0) ftruncateSync(this.#fd, 0);
        this.#bytes = 0;
      } else {
        unlinkSync(segment.path);
      }
    } catch (error) {
      this.#logger.warn({ err: error, path: segment.path }, 'cannot remove a written crash journal segment');
    }
  }

  #newSegment(sequence: number): Segment {
    this.#bytes = 0;
    return { sequence, path: join(this.#directory, segmentFileName(sequence)), pending: new Set() };
  }
}
