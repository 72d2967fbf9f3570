/**
 * What the observability layer learns about one HTTP request while it runs, carried in an
 * AsyncLocalStorage so that the layers that know a fact (who authenticated, when the upstream answered)
 * need not pass it along: the request log line, the metrics and the trace read it at the end.
 * This module imports nothing from the project, so any layer may note a fact.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Timings of the upstream call a request made, in `performance.now()` milliseconds. */
export interface UpstreamTiming {
  startedAt: number;
  /** When the response headers arrived. */
  headersAt?: number;
  /** When the first body byte arrived. */
  firstByteAt?: number;
  endedAt?: number;
  status?: number;
  error?: string;
}

/** Facts about the request being served. */
export interface RequestFacts {
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** The authenticated user, once known. */
  userId?: string;
  /** The interception the request became, once its records are queued. */
  interceptionId?: string;
  upstream?: UpstreamTiming;
}

const storage = new AsyncLocalStorage<RequestFacts>();

/** Runs `body` with `facts` as the current request's facts. */
export function runWithRequestFacts<T>(facts: RequestFacts, body: () => T): T {
  return storage.run(facts, body);
}

/** The facts of the request being served, if any. */
export function currentRequestFacts(): RequestFacts | undefined {
  return storage.getStore();
}

/** Notes the authenticated user of the current request (for the request log line). */
export function noteRequestUser(userId: string): void {
  const facts = storage.getStore();
  if (facts) facts.userId = userId;
}
