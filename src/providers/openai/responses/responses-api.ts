/**
 * The parts of the OpenAI Responses API the bridge reads
 * (https://platform.openai.com/docs/api-reference/responses). Lenient: only recorded fields are looked at.
 *
 * A stream announces the response (`response.created`), streams output items and completes each with
 * `response.output_item.done` (the whole item), and ends with `response.completed` (or `.incomplete`,
 * `.failed`) holding the final response with its usage. A blocking body is that final response.
 */

/** The path of the endpoint below the instance root. */
export const responsesPath = '/v1/responses';

/**
 * Remote compaction (`client.responses.compact()`, Codex's `/compact` and auto-compaction): a blocking
 * request with a Responses `input`, answered by `{ id, object: 'response.compaction', created_at, output,
 * usage }` where `output` is the retained user messages followed by one opaque `compaction` item. The
 * model reads the whole history and writes the summary, so it bills tokens like a response.
 */
export const compactPath = '/v1/responses/compact';

/** Usage fields with rules of their own; the rest of the usage object is metadata. */
export const usageFields = ['input_tokens', 'output_tokens'] as const;

/** Events that carry the final response object. */
export const finalEventTypes = new Set(['response.completed', 'response.incomplete', 'response.failed']);
