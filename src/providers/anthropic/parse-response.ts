import type { DecodedEvent } from '../events/decoded-event.js';
import { asObject, numberField, stringField } from '../json/read-json.js';
import type { ResponseParser, ResponseSummary } from '../provider.js';
import { convertUsage, mergeUsage } from './convert-usage.js';
import { thoughtOf } from './extract-thinking.js';
import { toolCallOf } from './extract-tool-calls.js';
import type { ContentBlock } from './messages-api.js';

/** A content block being streamed: its start and the deltas so far. */
interface BlockInProgress {
  block: ContentBlock;
  inputJson: string;
  text: string;
  thinking: string;
}

/**
 * Reads a Messages response. The stream's events are assembled into the same pieces a blocking body
 * holds (a message with usage, complete content blocks), and both paths go through `#onMessage`,
 * `#onContentBlock` and `#onUsage`.
 */
export class MessagesResponseParser implements ResponseParser {
  readonly #summary: ResponseSummary = {
    responseId: null,
    usage: null,
    toolCalls: [],
    thoughts: [],
    error: null,
    problems: [],
  };
  #usage: Record<string, unknown> | null = null;
  readonly #blocks = new Map<number, BlockInProgress>();
  #complete = false;

  onEvent(event: DecodedEvent): boolean {
    const data = asObject(event.data);
    if (data === null) {
      this.#summary.problems.push(
        `unreadable ${event.name ?? 'message'} event: ${event.problem ?? 'not an object'}`,
      );
      return true;
    }
    switch (event.name ?? stringField(data, 'type')) {
      case 'message_start':
        this.#onMessage(asObject(data.message));
        break;
      case 'content_block_start':
        this.#startBlock(data);
        break;
      case 'content_block_delta':
        this.#applyDelta(data);
        break;
      case 'content_block_stop':
        this.#stopBlock(data);
        break;
      case 'message_delta':
        this.#onUsage(asObject(data.usage));
        break;
      case 'message_stop':
        this.#complete = true;
        break;
      case 'error':
        // Anthropic ends the stream after an error event: nothing more will come.
        this.#summary.error = stringField(asObject(data.error), 'message') ?? 'stream error';
        this.#complete = true;
        break;
      default:
        // ping and event types added later carry nothing recorded.
        break;
    }
    return true;
  }

  onBody(body: unknown): void {
    this.#complete = true;
    const message = asObject(body);
    this.#onMessage(message);
    const content = message?.content;
    if (Array.isArray(content)) {
      for (const block of content) {
        const object = asObject(block);
        if (object !== null) this.#onContentBlock(object as unknown as ContentBlock, null);
      }
    }
  }

  isComplete(): boolean {
    return this.#complete;
  }

  finish(): ResponseSummary {
    for (const [index, progress] of this.#blocks) {
      this.#summary.problems.push(`stream ended inside ${progress.block.type} block ${index}`);
    }
    this.#blocks.clear();
    this.#summary.usage = this.#usage === null ? null : convertUsage(this.#usage);
    return this.#summary;
  }

  #onMessage(message: Record<string, unknown> | null): void {
    this.#summary.responseId = stringField(message, 'id') ?? this.#summary.responseId;
    this.#summary.responseModel = stringField(message, 'model') ?? this.#summary.responseModel ?? null;
    this.#onUsage(asObject(message?.usage));
  }

  #onUsage(usage: Record<string, unknown> | null): void {
    if (usage !== null) this.#usage = mergeUsage(this.#usage, usage);
  }

  #onContentBlock(block: ContentBlock, inputJson: string | null): void {
    const toolCall = toolCallOf(block, inputJson);
    if (toolCall !== null) this.#summary.toolCalls.push(toolCall);
    const thought = thoughtOf(block);
    if (thought !== null) this.#summary.thoughts.push(thought);
  }

  #startBlock(data: Record<string, unknown>): void {
    const index = numberField(data, 'index');
    const block = asObject(data.content_block);
    if (index === null || block === null) return;
    this.#blocks.set(index, {
      block: block as unknown as ContentBlock,
      inputJson: '',
      text: '',
      thinking: '',
    });
  }

  #applyDelta(data: Record<string, unknown>): void {
    const progress = this.#blocks.get(numberField(data, 'index') ?? -1);
    const delta = asObject(data.delta);
    if (progress === undefined || delta === null) return;
    switch (stringField(delta, 'type')) {
      case 'input_json_delta':
        progress.inputJson += stringField(delta, 'partial_json') ?? '';
        break;
      case 'text_delta':
        progress.text += stringField(delta, 'text') ?? '';
        break;
      case 'thinking_delta':
        progress.thinking += stringField(delta, 'thinking') ?? '';
        break;
      default:
        // signature_delta, citations_delta: not recorded.
        break;
    }
  }

  #stopBlock(data: Record<string, unknown>): void {
    const index = numberField(data, 'index') ?? -1;
    const progress = this.#blocks.get(index);
    if (progress === undefined) return;
    this.#blocks.delete(index);
    const { block } = progress;
    const complete: ContentBlock = {
      ...block,
      text: (block.text ?? '') + progress.text,
      thinking: (block.thinking ?? '') + progress.thinking,
    };
    this.#onContentBlock(complete, progress.inputJson);
  }
}
