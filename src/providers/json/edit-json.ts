/**
 * Minimal edits of JSON text: set one member at a path and leave every other byte as the client sent it.
 * Re-serialising with `JSON.stringify` would reorder integer-like keys (`logit_bias`), rewrite numbers
 * (`1.0` → `1`) and escapes, and drop whitespace; provider caches and signatures can depend on those bytes.
 * The input must already be valid JSON (the caller parsed it); these scanners do not validate.
 */

/** The location of one member of a JSON object in the text. */
interface MemberSpan {
  key: string;
  /** Index of the first character of the value. */
  valueStart: number;
  /** Index just past the value. */
  valueEnd: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

function skipWhitespace(text: string, index: number): number {
  let position = index;
  while (position < text.length && WHITESPACE.has(text[position] as string)) position++;
  return position;
}

/** Index just past the string literal opening at `index`. */
function skipString(text: string, index: number): number {
  let position = index + 1;
  while (position < text.length) {
    const character = text[position];
    if (character === '\\') position += 2;
    else if (character === '"') return position + 1;
    else position++;
  }
  return position;
}

/** Index just past the JSON value starting at `index` (which must not be whitespace). */
function skipValue(text: string, index: number): number {
  const first = text[index];
  if (first === '"') return skipString(text, index);
  if (first === '{' || first === '[') {
    let depth = 0;
    let position = index;
    while (position < text.length) {
      const character = text[position];
      if (character === '"') {
        position = skipString(text, position);
        continue;
      }
      if (character === '{' || character === '[') depth++;
      else if (character === '}' || character === ']') {
        depth--;
        if (depth === 0) return position + 1;
      }
      position++;
    }
    return position;
  }
  let position = index;
  while (position < text.length && !',}] \t\n\r'.includes(text[position] as string)) position++;
  return position;
}

/** The members of the object opening at `objectStart` (a `{`), in text order. */
function listMembers(text: string, objectStart: number): MemberSpan[] {
  const members: MemberSpan[] = [];
  let position = skipWhitespace(text, objectStart + 1);
  while (position < text.length && text[position] !== '}') {
    const keyEnd = skipString(text, position);
    const key = JSON.parse(text.slice(position, keyEnd)) as string;
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1); // past the colon
    const valueEnd = skipValue(text, valueStart);
    members.push({ key, valueStart, valueEnd });
    position = skipWhitespace(text, valueEnd);
    if (text[position] === ',') position = skipWhitespace(text, position + 1);
  }
  return members;
}

/** The JSON text of `{"a":{"b":value}}` for path `[a, b]`. */
function nestedLiteral(path: readonly string[], valueJson: string): string {
  return path.reduceRight((inner, key) => `{${JSON.stringify(key)}:${inner}}`, valueJson);
}

function setInObject(text: string, objectStart: number, path: readonly string[], valueJson: string): string {
  const [key, ...rest] = path;
  if (key === undefined) return text;
  const members = listMembers(text, objectStart);
  // JSON.parse keeps the last of duplicate keys, so that is the one to edit.
  const member = members.findLast((candidate) => candidate.key === key);
  if (member !== undefined) {
    if (rest.length > 0 && text[member.valueStart] === '{') {
      return setInObject(text, member.valueStart, rest, valueJson);
    }
    const replacement = rest.length > 0 ? nestedLiteral(rest, valueJson) : valueJson;
    return text.slice(0, member.valueStart) + replacement + text.slice(member.valueEnd);
  }
  const addition = `${JSON.stringify(key)}:${rest.length > 0 ? nestedLiteral(rest, valueJson) : valueJson}`;
  const last = members.at(-1);
  if (last === undefined) return `${text.slice(0, objectStart + 1)}${addition}${text.slice(objectStart + 1)}`;
  // Appended right after the last value, before any whitespace and the closing brace.
  return `${text.slice(0, last.valueEnd)},${addition}${text.slice(last.valueEnd)}`;
}

/**
 * Sets the member at `path` of the top-level object in `text` to the JSON `valueJson`, creating missing
 * objects on the way (a non-object in the way is replaced). Returns the text unchanged when the top level
 * is not an object.
 */
export function setJsonMember(text: string, path: readonly string[], valueJson: string): string {
  const start = skipWhitespace(text, 0);
  if (text[start] !== '{') return text;
  return setInObject(text, start, path, valueJson);
}
