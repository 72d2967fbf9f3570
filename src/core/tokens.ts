import { hash, randomInt, timingSafeEqual } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const idLength = 10;
const secretLength = 22;
const tokenPattern = /^([A-Za-z0-9]{10})-([A-Za-z0-9]{22})$/;

function randomString(length: number): string {
  let out = '';
  for (let index = 0; index < length; index += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A fresh API token: `<id>-<secret>`; only `hashSecret(secret)` is ever stored. */
export function generateToken(): { id: string; secret: string; token: string } {
  const id = randomString(idLength);
  const secret = randomString(secretLength);
  return { id, secret, token: `${id}-${secret}` };
}

/** Splits a token into id and secret; null when it is not of the token's form. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const match = tokenPattern.exec(token);
  if (!match?.[1] || !match[2]) return null;
  return { id: match[1], secret: match[2] };
}

/**
 * SHA-256 of the secret. A fast hash suffices: secrets are 131 random bits, not passwords, so there is
 * nothing for a slow hash to protect, and every proxied request verifies one.
 */
export function hashSecret(secret: string): Buffer {
  // The one-shot hash: no Hash object per call (every proxied request verifies its token).
  return hash('sha256', secret, 'buffer');
}

/** Compares a secret with a stored hash in constant time. */
export function secretMatches(secret: string, hashed: Buffer): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === hashed.length && timingSafeEqual(candidate, hashed);
}
