/**
 * Reads a request's query string parameters, collecting one validation per bad parameter so a request
 * learns every problem at once. Empty values count as absent (`?after_id=` is what a form sends).
 */
import { isUuid } from '../../core/ids.js';
import type { Validation } from '../../http-error.js';

/** The largest offset accepted; deeper pages are what keyset cursors are for. */
const maxOffset = 2_147_483_647;

export class QueryParameters {
  readonly validations: Validation[] = [];
  readonly #values: Record<string, unknown>;

  constructor(query: unknown) {
    this.#values = query !== null && typeof query === 'object' ? (query as Record<string, unknown>) : {};
  }

  /** Whether the parameter was given with a non-empty value. */
  has(name: string): boolean {
    return this.text(name, { record: false }) !== undefined;
  }

  /** A text parameter, or undefined when absent; a repeated parameter is a validation error. */
  text(name: string, options: { record?: boolean } = {}): string | undefined {
    const value = this.#values[name];
    if (Array.isArray(value)) {
      if (options.record !== false)
        this.validations.push({ field: name, detail: 'Must be given at most once.' });
      return undefined;
    }
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  /** A UUID parameter (lower-cased), or null when absent or invalid (then a validation is recorded). */
  uuid(name: string): string | null {
    const value = this.text(name);
    if (value === undefined) return null;
    if (!isUuid(value)) {
      this.validations.push({ field: name, detail: `"${value}" is not a valid UUID.` });
      return null;
    }
    return value.toLowerCase();
  }

  /** A page size: `fallback` when absent, else an integer in `[1, max]`. */
  limit(fallback: number, max: number): number {
    return this.#integer('limit', { fallback, min: 1, max });
  }

  /** An offset: 0 when absent, else a non-negative integer. */
  offset(): number {
    return this.#integer('offset', { fallback: 0, min: 0, max: maxOffset });
  }

  /** An integer parameter: `fallback` when absent, else an integer in `[min, max]`. */
  integer(name: string, range: { fallback: number; min: number; max: number }): number {
    return this.#integer(name, range);
  }

  /** Records that two pagination modes were combined; `second` names the parameter reported. */
  forbidTogether(first: string, second: string): void {
    if (this.has(first) && this.has(second)) {
      this.validations.push({ field: second, detail: `Cannot be used together with ${first}.` });
    }
  }

  #integer(name: string, range: { fallback: number; min: number; max: number }): number {
    const value = this.text(name);
    if (value === undefined) return range.fallback;
    const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < range.min || parsed > range.max) {
      this.validations.push({
        field: name,
        detail: `Must be an integer from ${range.min} to ${range.max}, not "${value}".`,
      });
      return range.fallback;
    }
    return parsed;
  }
}
