/**
 * A limit on failed sign-ins per remote address, so the sign-in form cannot be used to guess tokens at the
 * speed of the network. Each address may fail `failures` times within a sliding `windowMs`; after that
 * every sign-in from it — right or wrong — is refused until its oldest failure leaves the window. A success
 * does not clear the count: an attacker holding one valid token of their own could otherwise reset it.
 *
 * Kept in memory per process: a bridge behind several servers allows `failures` per server, which is
 * still far from guessing a 22-character secret. Addresses whose failures have all left the window are
 * forgotten, and at most `maxAddresses` are remembered (the longest idle is dropped first), so a flood of
 * addresses cannot grow it without bound.
 */

export interface SignInLimitOptions {
  failures: number;
  windowMs: number;
  maxAddresses: number;
  /** The clock, in milliseconds (tests pass their own). */
  now: () => number;
}

export const defaultSignInLimit: SignInLimitOptions = {
  failures: 5,
  windowMs: 60_000,
  maxAddresses: 10_000,
  now: () => Date.now(),
};

export class SignInLimit {
  readonly #options: SignInLimitOptions;
  /** Failure times per address, oldest first; Map order is last-failure order (see `recordFailure`). */
  readonly #failures = new Map<string, number[]>();

  constructor(options: Partial<SignInLimitOptions> = {}) {
    this.#options = { ...defaultSignInLimit, ...options };
  }

  /** The failures of `address` still inside the window, dropping the older ones. */
  #recent(address: string, now: number): number[] {
    const times = this.#failures.get(address);
    if (!times) return [];
    const start = now - this.#options.windowMs;
    const kept = times.filter((time) => time > start);
    if (kept.length === 0) this.#failures.delete(address);
    else this.#failures.set(address, kept);
    return kept;
  }

  /** How long (ms, > 0) `address` must wait before it may try again, or 0 when it may try now. */
  retryAfterMs(address: string): number {
    const now = this.#options.now();
    const recent = this.#recent(address, now);
    if (recent.length < this.#options.failures) return 0;
    // The attempt becomes possible when enough failures have left the window to go below the limit.
    const freeing = recent[recent.length - this.#options.failures]!;
    return Math.max(1, freeing + this.#options.windowMs - now);
  }

  /** Counts a failed sign-in of `address`. */
  recordFailure(address: string): void {
    const now = this.#options.now();
    const recent = this.#recent(address, now);
    // Re-inserted so that the Map's first entries are the addresses idle longest.
    this.#failures.delete(address);
    this.#failures.set(address, [...recent.slice(-this.#options.failures), now]);
    while (this.#failures.size > this.#options.maxAddresses) {
      const idlest = this.#failures.keys().next().value;
      if (idlest === undefined) break;
      this.#failures.delete(idlest);
    }
  }

  /** How many addresses are remembered (tests check the bound). */
  get size(): number {
    return this.#failures.size;
  }
}
