/**
 * Confines a proxy request to its instance's base path. The upstream URL is the base URL plus the path
 * built here, so no request can climb above the base path (to another tenant, or to a route of the
 * provider's that the key was never meant for): dot segments, encoded slashes and backslashes are refused
 * rather than resolved, because a provider or a proxy in front of it may resolve them differently.
 */

import type { HttpError } from '../http-error.js';
import { proxyError } from './proxy-error.js';

/** A request path below an instance root, normalised. */
export interface ConfinedPath {
  /** The canonical path: decoded segments, empty ones dropped, each re-encoded the one same way. */
  pathname: string;
  /** The query string with its `?`, as received; empty when there is none. */
  search: string;
}

// Characters a path segment may carry unescaped (RFC 3986 pchar); every other byte is percent-encoded.
const keptEscapes: Record<string, string> = {
  '%24': '$',
  '%26': '&',
  '%2B': '+',
  '%2C': ',',
  '%3B': ';',
  '%3D': '=',
  '%3A': ':',
  '%40': '@',
};

/** Percent-encodes a decoded segment, keeping the characters a path segment may carry as they are. */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /%(?:24|26|2B|2C|3B|3D|3A|40)/g,
    (sequence) => keptEscapes[sequence] ?? sequence,
  );
}

function refuse(detail: string): HttpError {
  return proxyError(400, `Invalid request path: ${detail}.`, 'invalid_request_path');
}

/**
 * Normalises the path below an instance root (with its query string, as it came on the request line), or
 * throws a 400 when it holds a dot segment (`.`, `..`, literal or percent-encoded, also before a `;`),
 * an encoded slash or backslash, a literal backslash, or percent-encoding that is not UTF-8.
 */
export function confinePath(rawPath: string): ConfinedPath {
  const queryAt = rawPath.indexOf('?');
  const rawPathname = queryAt === -1 ? rawPath : rawPath.slice(0, queryAt);
  const search = queryAt === -1 ? '' : rawPath.slice(queryAt);
  // Every request of every client takes this branch: the path is already in canonical form.
  if (canonicalPath.test(rawPathname)) return { pathname: rawPathname, search };
  return { pathname: normalisePathname(rawPathname), search };
}

/**
 * A path that normalising leaves as it is: non-empty segments of characters a segment carries unescaped
 * (no `%`, no `;`, no backslash), none starting with a dot, so none is or hides a dot segment.
 */
const canonicalPath = /^(?:\/[A-Za-z0-9_~!$&'()*+,=:@-][A-Za-z0-9._~!$&'()*+,=:@-]*)+$/;

/** {@link confinePath}'s work on a path that is not already canonical; exported for its test. */
export function normalisePathname(rawPathname: string): string {
  if (rawPathname.includes('\\')) throw refuse('backslashes are not allowed');
  const segments: string[] = [];
  for (const raw of rawPathname.split('/')) {
    if (/%(?:2f|5c)/i.test(raw)) throw refuse('encoded slashes and backslashes are not allowed');
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw refuse('percent-encoding must be of UTF-8 text');
    }
    // Some servers drop `;parameters` before resolving dot segments, so `..;x` counts as `..`.
    const beforeParameters = segment.split(';', 1)[0];
    if (beforeParameters === '.' || beforeParameters === '..') {
      throw refuse('"." and ".." segments are not allowed');
    }
    if (segment !== '') segments.push(segment);
  }
  return `/${segments.map(encodePathSegment).join('/')}`;
}
