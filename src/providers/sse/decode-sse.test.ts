import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDoneSentinel, parseJson } from '../events/parse-json.js';
import { SseDecoder, type SseEvent } from './decode-sse.js';

function decodeAll(chunks: string[], trackRaw = false): { events: SseEvent[]; remainder: Buffer } {
  const decoder = new SseDecoder({ trackRaw });
  const events = chunks.flatMap((chunk) => decoder.push(Buffer.from(chunk, 'utf8')));
  return { events, remainder: decoder.end() };
}

const plain = (events: SseEvent[]) =>
  events.filter((event) => event.hasData).map(({ event, data }) => ({ event, data }));

describe('SseDecoder', () => {
  it('decodes named events with data lines', () => {
    const { events } = decodeAll(['event: ping\ndata: {"type":"ping"}\n\nevent: x\ndata: 1\n\n']);
    expect(plain(events)).toEqual([
      { event: 'ping', data: '{"type":"ping"}' },
      { event: 'x', data: '1' },
    ]);
  });

  it('reassembles an event split across chunks at every byte', () => {
    const stream = 'event: message_start\ndata: {"a":"é✓"}\n\ndata: [DONE]\n\n';
    const bytes = Buffer.from(stream, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new SseDecoder();
      const events = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      expect(plain(events)).toEqual([
        { event: 'message_start', data: '{"a":"é✓"}' },
        { event: null, data: '[DONE]' },
      ]);
    }
  });

  it('accepts CRLF, lone CR and LF line endings, also when a CRLF is split between chunks', () => {
    expect(plain(decodeAll(['data: a\r\n\r\ndata: b\r\rdata: c\n\n']).events)).toEqual([
      { event: null, data: 'a' },
      { event: null, data: 'b' },
      { event: null, data: 'c' },
    ]);
    // The `\n` opening the second chunk ends the `\r` line; it must not count as a blank line.
    expect(plain(decodeAll(['data: a\r', '\ndata: b\r\n', '\r\n']).events)).toEqual([
      { event: null, data: 'a\nb' },
    ]);
  });

  it('ignores comments such as keep-alive pings', () => {
    const { events } = decodeAll([': keep-alive\n\n:another\ndata: x\n: inside\n\n']);
    expect(events.map(({ event, data }) => ({ event, data }))).toEqual([{ event: null, data: 'x' }]);
  });

  it('hands a comment-only block to a raw-tracking forwarder at once, without data', () => {
    const decoder = new SseDecoder({ trackRaw: true });
    const [keepAlive] = decoder.push(Buffer.from(': keep-alive\n\n'));
    expect(keepAlive).toMatchObject({ hasData: false, data: '' });
    expect(keepAlive?.raw?.toString()).toBe(': keep-alive\n\n');
  });

  it('slices an event that arrived in one chunk without copying it', () => {
    const chunk = Buffer.from('data: a\n\ndata: b\n\n');
    const [first, second] = new SseDecoder({ trackRaw: true }).push(chunk);
    expect(first?.raw?.buffer).toBe(chunk.buffer);
    expect(second?.raw?.toString()).toBe('data: b\n\n');
  });

  it('joins several data lines with newlines and strips only one leading space', () => {
    const { events } = decodeAll(['data:  two spaces\ndata:none\ndata\n\n']);
    expect(events[0]?.data).toBe(' two spaces\nnone\n');
  });

  it('yields the [DONE] sentinel as an ordinary event that the consumer recognises', () => {
    const { events } = decodeAll(['data: {"x":1}\n\ndata: [DONE]\n\n']);
    expect(events.map((event) => isDoneSentinel(event.data))).toEqual([false, true]);
  });

  it('never throws on garbage and reports bad JSON as a value, not an exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (bytes, size) => {
        const decoder = new SseDecoder({ trackRaw: true });
        for (let start = 0; start < bytes.length; start += size)
          decoder.push(bytes.subarray(start, start + size));
        decoder.end();
      }),
    );
    const { events } = decodeAll(['data: {not json\n\n']);
    expect(parseJson(events[0]?.data ?? '')).toMatchObject({ ok: false });
  });

  it('does not dispatch an event that lacks its closing blank line, but returns its bytes', () => {
    const { events, remainder } = decodeAll(['data: complete\n\ndata: cut off'], true);
    expect(plain(events)).toEqual([{ event: null, data: 'complete' }]);
    expect(remainder.toString()).toBe('data: cut off');
  });

  it('keeps the exact bytes of each event so that the events and remainder add up to the input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('data: x', 'event: e', ': c', '', 'data: {"é":1}', 'id: 3'), {
          maxLength: 20,
        }),
        fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 20, maxLength: 20 }),
        fc.integer({ min: 1, max: 7 }),
        (lines, terminators, size) => {
          const input = Buffer.from(lines.map((line, index) => line + terminators[index]).join(''), 'utf8');
          const decoder = new SseDecoder({ trackRaw: true });
          const parts: Buffer[] = [];
          for (let start = 0; start < input.length; start += size) {
            for (const event of decoder.push(input.subarray(start, start + size)))
              parts.push(event.raw as Buffer);
          }
          parts.push(decoder.end());
          expect(Buffer.concat(parts).equals(input)).toBe(true);
        },
      ),
    );
  });

  it('strips a byte order mark at the start of the stream', () => {
    const { events } = decodeAll(['\ufeffdata: x\n\n']);
    expect(plain(events)).toEqual([{ event: null, data: 'x' }]);
  });
});
