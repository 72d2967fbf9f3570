import type { DecodedEvent } from '../../events/decoded-event.js';
import { arrayField, asObject, stringField } from '../../json/read-json.js';
import type { ResponseParser, ResponseSummary } from '../../provider.js';
import { convertUsage } from './convert-usage.js';
import { thoughtOf } from './extract-thinking.js';
import { toolCallOf } from './extract-tool-calls.js';
import { finalEventTypes } from './responses-api.js';

/**
 * Reads a Responses response. Streamed output items arrive whole in `response.output_item.done`; a
 * blocking body is the final response, whose `output` goes through the same `#onOutputItem`, and the
 * usage of both comes from `#onResponse`.
 */
export class ResponsesResponseParser implements ResponseParser {
  readonly #summary: ResponseSummary = {
    responseId: null,
    usage: null,
    toolCalls: [],
    thoughts: [],
    error: null,
    problems: [],
  };
  #itemsSeen = 0;
  #complete = false;

  onEvent(event: DecodedEvent): boolean {
    const data = asObject(event.data);
    if (data === null) {
      this.#summary.problems.push(
        `unreadable ${event.name ?? 'message'} event: ${event.problem ?? 'not an object'}`,
      );
      return true;
    }
    const type = stringField(data, 'type') ?? event.name ?? '';
    if (type === 'response.output_item.done') {
      const item = asObject(data.item);
      if (item !== null) this.#onOutputItem(item);
    } else if (type === 'response.created' || type === 'response.in_progress') {
      this.#summary.responseId ??= stringField(asObject(data.response), 'id');
    } else if (finalEventTypes.has(type)) {
      this.#onResponse(asObject(data.response));
      this.#complete = true;
    } else if (type === 'error') {
      // An error event ends the stream as a failed response does.
      this.#summary.error =
        stringField(data, 'message') ?? stringField(asObject(data.error), 'message') ?? 'stream error';
      this.#complete = true;
    }
    return true;
  }

  onBody(body: unknown): void {
    this.#complete = true;
    const response = asObject(body);
    if (response === null) this.#summary.problems.push('response body is not a JSON object');
    else this.#onResponse(response);
  }

  finish(): ResponseSummary {
    return this.#summary;
  }

  isComplete(): boolean {
    return this.#complete;
  }

  #onOutputItem(item: Record<string, unknown>): void {
    this.#itemsSeen += 1;
    const toolCall = toolCallOf(item);
    if (toolCall !== null) this.#summary.toolCalls.push(toolCall);
    const thought = thoughtOf(item);
    if (thought !== null) this.#summary.thoughts.push(thought);
  }

  #onResponse(response: Record<string, unknown> | null): void {
    if (response === null) return;
    this.#summary.responseId = stringField(response, 'id') ?? this.#summary.responseId;
    this.#summary.responseModel = stringField(response, 'model') ?? this.#summary.responseModel ?? null;
    const usage = asObject(response.usage);
    if (usage !== null) this.#summary.usage = convertUsage(usage);
    const error = asObject(response.error);
    if (error !== null) this.#summary.error = stringField(error, 'message') ?? 'response failed';
    // A blocking body (or a stream that skipped the per-item events) lists its items only here.
    if (this.#itemsSeen === 0) {
      for (const item of arrayField(response, 'output')) {
        const object = asObject(item);
        if (object !== null) this.#onOutputItem(object);
      }
    }
  }
}
