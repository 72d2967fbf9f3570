/**
 * Lenient readers for provider JSON: each returns the value when it has the expected type and a neutral
 * value otherwise, so that an unexpected shape from a provider is a missing field, never an exception.
 */
import type { JsonObject } from '../../core/records.js';

/** A JSON object as a record, or null for any other value: the lenient entry point of every wire schema. */
export function asObject(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** A string field, or null. */
export function stringField(object: Record<string, unknown> | null, key: string): string | null {
  const value = object?.[key];
  return typeof value === 'string' ? value : null;
}

/** A finite number field, or null. */
export function numberField(object: Record<string, unknown> | null, key: string): number | null {
  const value = object?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** An array field, or an empty array. */
export function arrayField(object: Record<string, unknown> | null, key: string): unknown[] {
  const value = object?.[key];
  return Array.isArray(value) ? value : [];
}

/** A non-negative integer count (token counts); anything else counts as 0. */
export function countField(object: Record<string, unknown> | null, key: string): number {
  const value = numberField(object, key);
  return value === null || value < 0 ? 0 : Math.round(value);
}

/** The object's members except `keys` and nulls: the metadata left after the recorded fields. */
export function omitFields(object: Record<string, unknown>, keys: readonly string[]): JsonObject {
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (value !== null && value !== undefined && !keys.includes(key)) rest[key] = value;
  }
  return rest;
}
