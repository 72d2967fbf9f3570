/**
 * The parts of the Anthropic Messages API the bridge reads (https://docs.anthropic.com/en/api/messages,
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming). Lenient on purpose: only the fields that
 * are recorded are looked at, everything else passes through untouched.
 */

/** Stream event types (the SSE `event:` name equals the JSON `type`). */
export type MessagesEventType =
  | 'message_start'
  | 'content_block_start'
  | 'content_block_delta'
  | 'content_block_stop'
  | 'message_delta'
  | 'message_stop'
  | 'ping'
  | 'error';

/** A content block of a response, complete (blocking body, or assembled from stream deltas). */
export interface ContentBlock {
  type: string;
  /** `tool_use`, `server_tool_use`. */
  id?: string;
  name?: string;
  input?: unknown;
  /** `text`. */
  text?: string;
  /** `thinking`. */
  thinking?: string;
  signature?: string;
}

/** The usage fields with rules of their own; the rest of the object is kept as metadata. */
export const usageFields = [
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
] as const;

/** The path of the Messages endpoint below the instance root. */
export const messagesPath = '/v1/messages';
