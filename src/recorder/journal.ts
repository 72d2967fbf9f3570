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
 * written, truncated) once every interception it mentions is written to the database.
 *
 * An admission is written at once: it must be in the file before the request goes upstream. A finished
 * interception's line waits for the next write, which is the next admission's (under load, one write(2)
 * then carries both) or, at the latest, the end of this turn of the event loop; so a kill loses at most
 * that turn's endings, and those come back from their admissions as interrupted, never as nothing.
 * Measured at c=32: one write(2) per request instead of two (BENCHMARKS.md, "Crash journal").
 */
import { appendFileSync, closeSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { newId } from '../core/ids.js';
import type { InterceptionStart, RecordedInterception } from '../core/records.js';
import { type Admission, encodeEnded, encodeEntry } from './journal-entry.js';

/** A journal file and the interceptions it mentions that are not in the database yet. */
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
  /** Starts of the admitted interceptions not finished yet: an ended line does not repeat them. */
  readonly #admittedStarts = new Map<string, InterceptionStart>();
  /** Ended lines not in the file yet, and the interceptions they mention. */
  #waiting = '';
  readonly #waitingIds: string[] = [];
  #flushScheduled = false;

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

  /** Appends an interception let in; it stays in the journal until it is written. */
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
    this.#admittedStarts.set(start.id, start);
    this.#append(encodeEntry({ kind: 'admitted', start, prompt }), [start.id]);
  }

  /** Appends a finished interception queued for the database (with the next write: see above). */
  queued(interception: RecordedInterception): void {
    const { id } = interception.start;
    const admitted = this.#admittedStarts.get(id);
    this.#admittedStarts.delete(id);
    this.#waiting += encodeEnded(interception, admitted !== interception.start);
    this.#waitingIds.push(id);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the ended lines still waiting. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#waiting !== '') this.#append('', []);
  }

  /**
   * Keeps an interception the database refused for its data in `rejected.jsonl` beside the segments (a
   * name replay does not read), as a `finished` line with the reason. Returns the file, or null when it
   * could not be written. Moving the line into a segment file makes the next start write it again.
   */
  reject(interception: RecordedInterception, reason: { code: string; message: string }): string | null {
    const path = join(this.#directory, 'rejected.jsonl');
    try {
      appendFileSync(path, `${JSON.stringify({ kind: 'finished', interception, rejected: reason })}\n`);
      return path;
    } catch (error) {
      this.#logger.error({ err: error, path }, 'cannot keep a refused interception');
      return null;
    }
  }

  /** Called once interceptions are in the database: they leave the journal. */
  written(interceptions: readonly RecordedInterception[]): void {
    // Never the case in practice (a batch is written long after its lines), but a line must not be
    // written after its segment was emptied.
    if (this.#waiting !== '') this.flush();
    for (const { start } of interceptions) {
      this.#admittedStarts.delete(start.id);
      const segments = this.#segmentsOf.get(start.id);
      if (segments === undefined) continue;
      this.#segmentsOf.delete(start.id);
      for (const segment of segments) {
        segment.pending.delete(start.id);
        if (segment.pending.size === 0) this.#remove(segment);
      }
    }
  }

  /** Whether every append so far succeeded (else some interceptions exist in memory only). */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** Interceptions in the journal not written yet. */
  get pending(): number {
    return this.#segmentsOf.size;
  }

  /** Closes the file; what it holds stays for the next start. */
  close(): void {
    this.flush();
    this.#closeFile();
  }

  #closeFile(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  /** Writes `line` after the ended lines waiting, in one write(2). */
  #append(line: string, lineIds: readonly string[]): void {
    const text = this.#waiting === '' ? line : this.#waiting + line;
    const ids = this.#waitingIds.length === 0 ? lineIds : [...this.#waitingIds.splice(0), ...lineIds];
    this.#waiting = '';
    try {
      this.#fd ??= openSync(this.#current.path, 'a');
      this.#bytes += writeSync(this.#fd, text);
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
      this.#closeFile();
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
