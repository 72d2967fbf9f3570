import type { DecodedEvent } from '../events/decoded-event.js';
import { arrayField, asObject, numberField, stringField } from '../json/read-json.js';
import type { ResponseParser, ResponseSummary, ThoughtSummary } from '../provider.js';
import { convertUsage } from './convert-usage.js';
import { thoughtTextOf } from './extract-thinking.js';
import { toolCallOf } from './extract-tool-calls.js';

/**
 * Reads a generateContent response. A streamed event and a blocking body are the same object (a
 * `GenerateContentResponse`), so both go through `#onResponse`; a stream without `alt=sse` is a JSON
 * array of them. Thought text split over chunks is joined per candidate until another part comes.
 */
export class GenerateContentResponseParser implements ResponseParser {
  readonly #summary: ResponseSummary = {
    responseId: null,
    usage: null,
    toolCalls: [],
    thoughts: [],
    error: null,
    problems: [],
  };
  /** The latest `usageMetadata`: every chunk repeats it, the last one is final. */
  #usage: Record<string, unknown> | null = null;
  /** Thought text being streamed, by candidate index. */
  readonly #thinking = new Map<number, string>();
  #complete = false;

  onEvent(event: DecodedEvent): boolean {
    const data = asObject(event.data);
    if (data === null) {
      this.#summary.problems.push(`unreadable chunk: ${event.problem ?? 'not an object'}`);
      return true;
    }
    this.#onResponse(data);
    return true;
  }

  onBody(body: unknown): void {
    this.#complete = true;
    const responses = Array.isArray(body) ? body : [body];
    for (const entry of responses) {
      const response = asObject(entry);
      if (response === null) this.#summary.problems.push('response body is not a JSON object');
      else this.#onResponse(response);
    }
  }

  isComplete(): boolean {
    return this.#complete;
  }

  finish(): ResponseSummary {
    for (const index of [...this.#thinking.keys()]) this.#flushThought(index);
    this.#summary.usage = this.#usage === null ? null : convertUsage(this.#usage);
    return this.#summary;
  }

  #onResponse(response: Record<string, unknown>): void {
    const error = asObject(response.error);
    if (error !== null) {
      // Google reports a failure mid-stream as one more chunk holding only the error.
      this.#summary.error = stringField(error, 'message') ?? 'stream error';
      this.#complete = true;
      return;
    }
    this.#summary.responseId = stringField(response, 'responseId') ?? this.#summary.responseId;
    const usage = asObject(response.usageMetadata);
    if (usage !== null) this.#usage = usage;
    const blockReason = stringField(asObject(response.promptFeedback), 'blockReason');
    if (blockReason !== null) {
      this.#summary.error = `prompt blocked: ${blockReason}`;
      this.#complete = true;
    }
    arrayField(response, 'candidates').forEach((entry, position) => {
      const candidate = asObject(entry);
      const index = numberField(candidate, 'index') ?? position;
      for (const item of arrayField(asObject(candidate?.content), 'parts')) {
        const part = asObject(item);
        if (part !== null) this.#onPart(index, part);
      }
      // A finish reason comes with the candidate's last chunk.
      if (stringField(candidate, 'finishReason') !== null) {
        this.#flushThought(index);
        this.#complete = true;
      }
    });
  }

  #onPart(index: number, part: Record<string, unknown>): void {
    const thought = thoughtTextOf(part);
    if (thought !== null) {
      this.#thinking.set(index, (this.#thinking.get(index) ?? '') + thought);
      return;
    }
    this.#flushThought(index);
    const toolCall = toolCallOf(part);
    if (toolCall !== null) this.#summary.toolCalls.push(toolCall);
  }

  #flushThought(index: number): void {
    const content = this.#thinking.get(index);
    this.#thinking.delete(index);
    if (content === undefined || content === '') return;
    const thought: ThoughtSummary = { content, metadata: index === 0 ? {} : { candidate_index: index } };
    this.#summary.thoughts.push(thought);
  }
}
