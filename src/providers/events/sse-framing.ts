/** Server-sent events framing, the default of every provider: `text/event-stream` decoded event by event. */
import { SseDecoder } from '../sse/decode-sse.js';
import { type DecodedEvent, decodedEvent, type EventDecoder, type EventFraming } from './decoded-event.js';

class SseEventDecoder implements EventDecoder {
  readonly #decoder = new SseDecoder({ trackRaw: true });

  push(chunk: Uint8Array): (DecodedEvent | Buffer)[] {
    return this.#decoder.push(chunk).map((event) => {
      const raw = event.raw as Buffer;
      // A block without data (a keep-alive comment) is not an event, but its bytes go on at once.
      return event.hasData ? decodedEvent({ raw, name: event.event, text: event.data }) : raw;
    });
  }

  end(): Buffer {
    return this.#decoder.end();
  }
}

/** SSE framing with JSON payloads. */
export const sseFraming: EventFraming = {
  isEventStream: (contentType) => contentType.includes('text/event-stream'),
  createDecoder: () => new SseEventDecoder(),
};
