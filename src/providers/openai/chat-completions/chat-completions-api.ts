/**
 * The parts of the OpenAI Chat Completions API the bridge reads
 * (https://platform.openai.com/docs/api-reference/chat). Lenient: only recorded fields are looked at.
 *
 * A streamed chunk: `{id, choices: [{index, delta: {content, tool_calls: [{index, id, function: {name,
 * arguments}}]}}], usage}`; with `stream_options.include_usage` every chunk has `usage: null` and one last
 * chunk has `choices: []` and the usage. A blocking completion has `choices[].message` instead of `delta`.
 */

/** The path of the endpoint below the instance root. */
export const chatCompletionsPath = '/v1/chat/completions';

/** Usage fields with rules of their own; the rest of the usage object is metadata. */
export const usageFields = ['prompt_tokens', 'completion_tokens'] as const;

/**
 * Delta fields where OpenAI-compatible servers put reasoning text (`reasoning_content`: DeepSeek, vLLM;
 * `reasoning`: OpenRouter, Ollama). OpenAI itself does not return reasoning on this API.
 */
export const reasoningFields = ['reasoning_content', 'reasoning'] as const;
