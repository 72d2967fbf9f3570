import type { DecodedEvent } from '../../events/decoded-event.js';
import { isDoneSentinel } from '../../events/parse-json.js';
import { arrayField, asObject, numberField, stringField } from '../../json/read-json.js';
import type { ResponseParser, ResponseSummary } from '../../provider.js';
import { convertUsage } from './convert-usage.js';
import { ReasoningCollector } from './extract-thinking.js';
import { ToolCallAssembler } from './extract-tool-calls.js';

/**
 * Reads a Chat Completions response. A streamed chunk and a blocking completion differ only in where a
 * choice keeps its content (`delta` or `message`), so both go through `#onChunk`.
 */
export class ChatCompletionsResponseParser implements ResponseParser {
  readonly #dropUsageChunk: boolean;
  readonly #problems: string[] = [];
  readonly #toolCalls = new ToolCallAssembler();
  readonly #reasoning = new ReasoningCollector();
  #responseId: string | null = null;
  #responseModel: string | null = null;
  #usage: Record<string, unknown> | null = null;
  #error: string | null = null;
  #done = false;
  readonly #choicesSeen = new Set<number>();
  readonly #choicesFinished = new Set<number>();

  /** `dropUsageChunk`: the bridge asked for usage on the client's behalf and hides the extra chunk. */
  constructor(options: { dropUsageChunk: boolean }) {
    this.#dropUsageChunk = options.dropUsageChunk;
  }

  onEvent(event: DecodedEvent): boolean {
    if (isDoneSentinel(event.text)) {
      this.#done = true;
      return true;
    }
    const chunk = asObject(event.data);
    if (chunk === null) {
      this.#problems.push(`unreadable chunk: ${event.problem ?? 'not an object'}`);
      return true;
    }
    const error = asObject(chunk.error);
    if (error !== null) {
      // OpenAI reports a failure mid-stream as a chunk holding only an `error` object.
      this.#error = stringField(error, 'message') ?? 'stream error';
      this.#done = true;
      return true;
    }
    this.#onChunk(chunk, 'delta');
    return !(this.#dropUsageChunk && isUsageOnlyChunk(chunk));
  }

  onBody(body: unknown): void {
    this.#done = true;
    const completion = asObject(body);
    if (completion === null) this.#problems.push('response body is not a JSON object');
    else this.#onChunk(completion, 'message');
  }

  /**
   * `[DONE]` ends every stream, but a client may leave as soon as it has what it asked for: each choice's
   * chunk with a `finish_reason`, and the usage chunk when it asked for usage itself.
   */
  isComplete(): boolean {
    if (this.#done) return true;
    const finished = this.#choicesFinished.size > 0 && this.#choicesFinished.size === this.#choicesSeen.size;
    return finished && (this.#dropUsageChunk || this.#usage !== null);
  }

  finish(): ResponseSummary {
    return {
      responseId: this.#responseId,
      responseModel: this.#responseModel,
      usage: this.#usage === null ? null : convertUsage(this.#usage),
      toolCalls: this.#toolCalls.calls(),
      thoughts: this.#reasoning.thoughts(),
      error: this.#error,
      problems: this.#problems,
    };
  }

  #onChunk(chunk: Record<string, unknown>, contentField: 'delta' | 'message'): void {
    this.#responseId ??= stringField(chunk, 'id');
    this.#responseModel ??= stringField(chunk, 'model');
    const usage = asObject(chunk.usage);
    if (usage !== null) this.#usage = usage;
    arrayField(chunk, 'choices').forEach((entry, position) => {
      const choice = asObject(entry);
      const choiceIndex = numberField(choice, 'index') ?? position;
      this.#choicesSeen.add(choiceIndex);
      if (stringField(choice, 'finish_reason') !== null) this.#choicesFinished.add(choiceIndex);
      const content = asObject(choice?.[contentField]);
      if (content === null) return;
      arrayField(content, 'tool_calls').forEach((call, callPosition) => {
        const object = asObject(call);
        if (object !== null) this.#toolCalls.apply(choiceIndex, object, callPosition);
      });
      this.#reasoning.apply(choiceIndex, content);
    });
  }
}

/** The chunk `include_usage` adds at the end: no choices, only usage. */
function isUsageOnlyChunk(chunk: Record<string, unknown>): boolean {
  return Array.isArray(chunk.choices) && chunk.choices.length === 0 && asObject(chunk.usage) !== null;
}
