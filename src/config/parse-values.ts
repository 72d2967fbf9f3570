/** Parsers for configuration values; each throws an Error whose message says what was expected. */

const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `0`, or a sequence of number+unit (`ms`, `s`, `m`, `h`, `d`, `w`) such as `60d` or `1h30m`; milliseconds. */
export function parseDuration(value: string): number {
  const text = value.trim();
  if (text === '0') return 0;
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    total += Number(match[1]) * (durationUnits[match[2] ?? ''] ?? 0);
    consumed += match[0].length;
  }
  if (text.length === 0 || consumed !== text.length) {
    throw new Error('expected a duration such as 60d, 12h or 1h30m, or 0');
  }
  return Math.round(total);
}

const sizeUnits: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** A byte size: a plain number of bytes or a number with a unit (`32MiB`, `512KB`). */
export function parseByteSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = sizeUnits[(match?.[2] ?? 'x').toLowerCase()];
  if (!match || unit === undefined) throw new Error('expected a size such as 32MiB, 512KB or 1048576');
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1) throw new Error('expected a size of at least 1 byte');
  return bytes;
}

/** `true`/`false` and their usual spellings. */
export function parseBoolean(value: string): boolean {
  const text = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw new Error('expected true or false');
}

/** `host:port`, `:port` or `[ipv6]:port`. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new Error('expected host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080');
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** An absolute URL with one of the given protocols, returned without a trailing slash. */
export function parseUrl(value: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`expected a URL (${protocols.join(', ')})`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
    throw new Error(`expected a URL with protocol ${protocols.join(' or ')}`);
  }
  return value.trim().replace(/\/+$/, '');
}

/** A positive integer. */
export function parsePositiveInteger(value: string): number {
  const number = Number(value.trim());
  if (!Number.isInteger(number) || number < 1) throw new Error('expected a positive integer');
  return number;
}
