import type { IncomingHttpHeaders } from 'node:http';

/**
 * Response headers that carry the provider's id of a request, the one its support asks for: OpenAI and
 * Azure send `x-request-id`, Anthropic `request-id`.
 */
const requestIdHeaders = ['x-request-id', 'request-id'] as const;

/** `{ provider_request_id }` for an interception's metadata, or nothing when the response has no such header. */
export function providerRequestId(headers: IncomingHttpHeaders): { provider_request_id?: string } {
  for (const name of requestIdHeaders) {
    const value = headers[name];
    const id = Array.isArray(value) ? value[0] : value;
    if (id !== undefined && id !== '') return { provider_request_id: id };
  }
  return {};
}
