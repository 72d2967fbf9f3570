/** Reads a provider instance's `pass_through` list: entries like `GET /v1/files` or `GET /v1/files/{id}`. */
import { type PassThroughRule, type ProxyMethod, proxyMethods } from './config.js';

// A segment is literal path characters and `{name}` placeholders (Gemini's `{model}:countTokens` puts
// both in one segment); dot segments, percent escapes, backslashes and empty segments could never match a
// confined request path, so they are refused here. Commas are left out so that a list fits in one flag or
// environment variable.
const segmentPattern = /^(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z0-9\-_~!$&'()*+;=:@.])+$/;

/**
 * Parses one pass-through rule; throws an Error whose message says what was expected (the caller adds
 * where the value came from).
 */
export function parsePassThroughRule(value: unknown): PassThroughRule {
  const expected = 'expected "METHOD /path" such as "GET /v1/files" or "GET /v1/files/{id}"';
  if (typeof value !== 'string') throw new Error(expected);
  const match = /^([A-Za-z]+) +(\/\S*)$/.exec(value.trim());
  const method = match?.[1]?.toUpperCase();
  const path = match?.[2];
  if (method === undefined || path === undefined) throw new Error(expected);
  if (!proxyMethods.includes(method as ProxyMethod)) {
    throw new Error(`unknown method "${method}": expected one of ${proxyMethods.join(', ')}`);
  }
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '.' || segment === '..' || !segmentPattern.test(segment)) {
      throw new Error(`invalid path segment "${segment}" in "${path}": ${expected}`);
    }
  }
  return { method: method as ProxyMethod, path };
}

/** A comma-separated list of rules (`--openai-pass-through "GET /v1/files,GET /v1/files/{id}"`). */
export function parsePassThroughList(value: string): PassThroughRule[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      try {
        return parsePassThroughRule(entry);
      } catch (error) {
        throw new Error(`"${entry}": ${(error as Error).message}`);
      }
    });
}
