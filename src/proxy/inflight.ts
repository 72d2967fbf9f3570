/**
 * Counts interceptions between admission and the moment their records are queued, so that shutdown can
 * wait for the last of them before the recorder drains (a stream cut at the end of the grace period still
 * has its records queued on the way out).
 */
export class InflightTracker {
  #count = 0;
  #waiters: Array<() => void> = [];

  /** Interceptions in flight. */
  get count(): number {
    return this.#count;
  }

  begin(): void {
    this.#count += 1;
  }

  end(): void {
    this.#count -= 1;
    if (this.#count === 0) for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** Resolves when no interception is in flight. */
  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
