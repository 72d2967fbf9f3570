import { randomFillSync } from 'node:crypto';

/**
 * Random bytes drawn from a pool refilled 4 KiB at a time: the proxy makes several ids per request, and
 * one `getRandomValues` call per id (what the `uuid` package does) was ~4 % of its CPU under load.
 */
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

function random10(): Buffer {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return bytes;
}

const id = Buffer.alloc(16);
let lastMs = Number.NEGATIVE_INFINITY;
let sequence = 0;

/**
 * A new time-ordered UUIDv7 (RFC 9562), the id of every record. Ids made in one process are strictly
 * increasing: within a millisecond a 31-bit counter (seeded randomly each millisecond) follows the
 * timestamp, as in RFC 9562 §6.2 method 1 (the layout of the `uuid` package's v7).
 */
export function newId(): string {
  const now = Date.now();
  const random = random10();
  if (now > lastMs) {
    lastMs = now;
    sequence =
      (((random[0] as number) & 0x7f) << 24) |
      ((random[1] as number) << 16) |
      ((random[2] as number) << 8) |
      (random[3] as number);
  } else {
    sequence = (sequence + 1) | 0;
    // The counter ran over: borrow the next millisecond rather than repeat an id.
    if (sequence === 0) lastMs += 1;
  }
  id.writeUIntBE(lastMs, 0, 6);
  id[6] = 0x70 | ((sequence >>> 28) & 0x0f);
  id[7] = (sequence >>> 20) & 0xff;
  id[8] = 0x80 | ((sequence >>> 14) & 0x3f);
  id[9] = (sequence >>> 6) & 0xff;
  id[10] = ((sequence << 2) & 0xff) | ((random[4] as number) & 0x03);
  random.copy(id, 11, 5, 10);
  const hex = id.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in canonical text form (any version). */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
