/**
 * Server-sent events decoding: bytes → lines → events, as the WHATWG EventSource spec reads them.
 * It never throws on bad input: a malformed line is a field the spec ignores, and an event whose data is
 * not JSON is the consumer's problem (see parse-json.ts).
 *
 * Lines are split on the byte level (`\n`, `\r\n` or a lone `\r`): UTF-8 never puts those bytes inside a
 * multi-byte character, so every line can be decoded on its own, and the exact bytes of each event stay
 * available for callers that forward events one by one.
 */

const LF = 0x0a;
const CR = 0x0d;

/** One dispatched event. `raw` holds its exact bytes (lines, terminators, comments) when tracking raw. */
export interface SseEvent {
  /** The `event:` field, or null when the event had none (the spec's `message`). */
  event: string | null;
  /** The `data:` lines joined with `\n`. */
  data: string;
  raw: Buffer | null;
  /**
   * False for a block without data (e.g. a `: keep-alive` comment) that the spec does not dispatch; such
   * blocks are only emitted when tracking raw, so a forwarder can pass keep-alives on at once.
   */
  hasData: boolean;
}

/** Options of an {@link SseDecoder}. */
export interface SseDecoderOptions {
  /** Keep each event's exact bytes in `raw`, for callers that forward or drop whole events. */
  trackRaw?: boolean;
}

/** A stateful decoder fed chunk by chunk; events split across chunks come out whole. */
export class SseDecoder {
  private readonly trackRaw: boolean;
  private carry: Buffer | null = null;
  /** A chunk ended in `\r`: a `\n` opening the next chunk belongs to that line ending. */
  private skipLeadingLineFeed = false;
  private firstLine = true;
  private segmentStart = 0;
  private eventName: string | null = null;
  private dataLines: string[] = [];
  /** Raw bytes of the current event from earlier chunks. */
  private rawParts: Buffer[] = [];

  constructor(options: SseDecoderOptions = {}) {
    this.trackRaw = options.trackRaw ?? false;
  }

  /** Feeds bytes and returns the events they completed. */
  push(chunk: Uint8Array): SseEvent[] {
    const incoming = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const buffer = this.carry === null ? incoming : Buffer.concat([this.carry, incoming]);
    this.carry = null;
    const events: SseEvent[] = [];
    let position = 0;
    if (this.skipLeadingLineFeed && buffer.length > 0) {
      this.skipLeadingLineFeed = false;
      if (buffer[0] === LF) position = 1;
    }
    // Where the current event's bytes begin in this buffer: an event within one chunk is a zero-copy slice.
    this.segmentStart = 0;
    let nextLineFeed = buffer.indexOf(LF, position);
    let nextCarriageReturn = buffer.indexOf(CR, position);
    while (position < buffer.length) {
      if (nextLineFeed !== -1 && nextLineFeed < position) nextLineFeed = buffer.indexOf(LF, position);
      if (nextCarriageReturn !== -1 && nextCarriageReturn < position) {
        nextCarriageReturn = buffer.indexOf(CR, position);
      }
      const end = earliest(nextLineFeed, nextCarriageReturn);
      if (end === -1) {
        this.carry = buffer.subarray(position);
        break;
      }
      let terminatorLength = 1;
      if (buffer[end] === CR) {
        if (end + 1 < buffer.length) {
          if (buffer[end + 1] === LF) terminatorLength = 2;
        } else {
          this.skipLeadingLineFeed = true;
        }
      }
      const rawEnd = end + terminatorLength;
      const event = this.readLine(buffer.toString('utf8', position, end), buffer, rawEnd);
      if (event !== null) events.push(event);
      position = rawEnd;
    }
    if (this.trackRaw && this.segmentStart < position)
      this.rawParts.push(buffer.subarray(this.segmentStart, position));
    return events;
  }

  /**
   * Ends the stream. Per the spec an event without its closing blank line is not dispatched; its bytes are
   * returned (when tracking raw, also those of its complete lines) so a forwarder can pass them on.
   */
  end(): Buffer {
    const parts = this.trackRaw ? this.rawParts : [];
    const remainder = this.carry === null ? Buffer.concat(parts) : Buffer.concat([...parts, this.carry]);
    this.carry = null;
    this.rawParts = [];
    this.eventName = null;
    this.dataLines = [];
    return remainder;
  }

  private readLine(text: string, buffer: Buffer, rawEnd: number): SseEvent | null {
    let line = text;
    if (this.firstLine) {
      this.firstLine = false;
      // A byte order mark may open the stream; the spec strips it.
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    }
    if (line.length === 0) return this.dispatch(buffer, rawEnd);
    if (line.charCodeAt(0) === 0x3a) return null; // `:` opens a comment (e.g. keep-alive pings)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
    // `id`, `retry` and unknown fields carry nothing the bridge records.
    return null;
  }

  private dispatch(buffer: Buffer, rawEnd: number): SseEvent | null {
    const hasData = this.dataLines.length > 0;
    let raw: Buffer | null = null;
    if (this.trackRaw) {
      const tail = buffer.subarray(this.segmentStart, rawEnd);
      raw = this.rawParts.length === 0 ? tail : Buffer.concat([...this.rawParts, tail]);
      this.rawParts = [];
      this.segmentStart = rawEnd;
    }
    const data = this.dataLines.length === 1 ? (this.dataLines[0] as string) : this.dataLines.join('\n');
    const event = this.eventName;
    this.eventName = null;
    this.dataLines = [];
    // The spec dispatches nothing for a block without data; only a raw-tracking forwarder wants its bytes.
    if (!hasData) return raw === null ? null : { event: null, data: '', raw, hasData: false };
    return { event, data, raw, hasData: true };
  }
}

function earliest(first: number, second: number): number {
  if (first === -1) return second;
  if (second === -1) return first;
  return Math.min(first, second);
}
