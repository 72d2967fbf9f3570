/**
 * Text PostgreSQL can store. A NUL character makes PostgreSQL refuse a whole `text` or `jsonb` value (and
 * with it the batch it is written in), and an unpaired UTF-16 surrogate has no UTF-8 form: a client may
 * legitimately send either inside a JSON string (a tool result holding binary output), so a record keeps
 * the request's text with each such character replaced by U+FFFD instead of being refused or lost.
 */

// With the `u` flag an unpaired surrogate is a code point of its own, and a pair never matches.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of the characters to replace.
const unstorable = /[\u{0}\u{D800}-\u{DFFF}]/gu;

declare global {
  interface String {
    /** ES2024 (Node 20+): whether the string holds no unpaired surrogate. */
    isWellFormed(): boolean;
  }
}

/** The text with NUL and unpaired surrogates replaced by U+FFFD. */
export function storableText(text: string): string {
  // The native checks cost about a tenth of the scan, and almost every text passes them.
  if (text.isWellFormed() && !text.includes('\0')) return text;
  return text.replace(unstorable, '\uFFFD');
}

/**
 * A copy of a value with every string (object keys included) made storable; dates and other non-plain
 * objects are kept as they are. Returns the value itself when nothing needed a change.
 */
export function storableValue<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  // Every interception's records pass here: nothing is allocated until something needs a change.
  if (Array.isArray(value)) {
    let items: unknown[] | null = null;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const stored = storableValue(item);
      if (items === null && stored !== item) items = value.slice(0, index);
      items?.push(stored);
    }
    return (items ?? value) as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  const keys = Object.keys(record);
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as string;
    const item = record[key];
    const storedKey = storableText(key);
    const stored = storableValue(item);
    if (copy === null && (storedKey !== key || stored !== item)) {
      copy = {};
      for (let earlier = 0; earlier < index; earlier++) {
        const kept = keys[earlier] as string;
        define(copy, kept, record[kept]);
      }
    }
    if (copy !== null) define(copy, storedKey, stored);
  }
  return (copy ?? value) as T;
}

/** Sets an own property, also one named `__proto__` (which an assignment would take as the prototype). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
