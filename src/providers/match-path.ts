/**
 * Path patterns of endpoints and pass-through rules: literal segments and `{name}` placeholders, which
 * match within one segment and may share it with literal text (Gemini's `/v1beta/models/{model}:generateContent`).
 */

/** A compiled pattern: tests a path (no query string) segment by segment. */
export type PathMatcher = (path: string) => boolean;

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A segment pattern: an exact string when it has no placeholder, else a regular expression. */
function compileSegment(segment: string): string | RegExp {
  const parts = segment.split(/(\{\w+\})/).filter((part) => part !== '');
  if (parts.every((part) => !/^\{\w+\}$/.test(part))) return segment;
  // A placeholder takes at least one character; model ids may hold colons (`ft:gpt-4o:org`), so a
  // suffix such as `:generateContent` is told apart by the literal text that must end the segment.
  const source = parts.map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : escapeRegExp(part))).join('');
  return new RegExp(`^${source}$`);
}

/** Compiles a pattern such as `/v1/models/{model}` or `/v1beta/models/{model}:countTokens`. */
export function compilePathPattern(pattern: string): PathMatcher {
  const expected = segmentsOf(pattern).map(compileSegment);
  return (path) => {
    const segments = segmentsOf(path);
    return (
      segments.length === expected.length &&
      expected.every((segment, index) => {
        const actual = segments[index] as string;
        return typeof segment === 'string' ? segment === actual : segment.test(actual);
      })
    );
  };
}
