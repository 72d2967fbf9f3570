import { v7 } from 'uuid';

/** A new time-ordered UUIDv7, the id of every record. */
export function newId(): string {
  return v7();
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in canonical text form (any version). */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
