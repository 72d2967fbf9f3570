/**
 * The parts of the Gemini API the bridge reads (https://ai.google.dev/api/generate-content). Lenient:
 * only recorded fields are looked at.
 *
 * The model and the method live in the path: `POST /v1beta/models/{model}:generateContent` answers one
 * `GenerateContentResponse`; `:streamGenerateContent?alt=sse` streams them as `data: {…}\r\n\r\n` events
 * (without `alt=sse` the stream is one JSON array of them). Each holds `candidates[].content.parts[]`
 * (`text`, `thought: true` text, `functionCall {id?, name, args}`), `usageMetadata` (cumulative, the last
 * one final), `modelVersion` and `responseId`. A request's `contents[]` alternate `user` and `model`
 * turns; a tool result is a `functionResponse {id?, name, response}` part of a user turn.
 */

/** The intercepted paths below the instance root (`v1beta` is what the SDKs use; `v1` is the GA surface). */
export const generateContentPaths = [
  '/v1beta/models/{model}:generateContent',
  '/v1beta/models/{model}:streamGenerateContent',
  '/v1/models/{model}:generateContent',
  '/v1/models/{model}:streamGenerateContent',
] as const;

/** Usage fields with rules of their own; the rest of `usageMetadata` is metadata. */
export const usageFields = [
  'promptTokenCount',
  'cachedContentTokenCount',
  'candidatesTokenCount',
  'thoughtsTokenCount',
] as const;

/** The model named in a request path (`/v1beta/models/gemini-2.5-flash:generateContent`). */
export function modelOfPath(path: string): string {
  const match = /\/models\/([^/]+):[A-Za-z]+$/.exec(path);
  return match?.[1] === undefined ? '' : decodeURIComponent(match[1]);
}
