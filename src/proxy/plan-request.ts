/**
 * What the proxy does with a request below an instance root: intercept it, pass it through unrecorded,
 * or refuse it. The decision is made on the path the provider would receive (after the provider maps the
 * client's path onto its base URL), so no spelling of a generation endpoint escapes interception.
 */
import type { ProviderConfig } from '../config/config.js';
import type { EndpointAdapter, ProviderAdapter } from '../providers/index.js';
import { compilePathPattern, type PathMatcher } from '../providers/match-path.js';

/** The proxy's decision for one request. */
export type RequestPlan =
  | { kind: 'intercept'; endpoint: EndpointAdapter }
  | { kind: 'pass-through' }
  | { kind: 'not-found' };

interface CompiledRule {
  method: string;
  matches: PathMatcher;
}

/** The intercepted endpoints and pass-through rules of one instance, matched on the upstream path. */
export class RequestPlanner {
  readonly #adapter: ProviderAdapter;
  readonly #endpoints: readonly { matches: PathMatcher; endpoint: EndpointAdapter }[];
  readonly #rules: readonly CompiledRule[];

  constructor(input: { adapter: ProviderAdapter; instance: ProviderConfig }) {
    const { adapter, instance } = input;
    this.#adapter = adapter;
    this.#endpoints = adapter.endpoints.map((endpoint) => ({
      matches: compilePathPattern(adapter.upstreamPath(endpoint.path)),
      endpoint,
    }));
    this.#rules = [...adapter.passThrough, ...(instance.passThrough ?? [])].map((rule) => ({
      method: rule.method,
      matches: compilePathPattern(adapter.upstreamPath(rule.path)),
    }));
  }

  /** The plan for a request; `pathname` is confined (see `confinePath`), without its query string. */
  plan(method: string, pathname: string): RequestPlan {
    const upstream = this.#adapter.upstreamPath(pathname);
    const found =
      method === 'POST' ? this.#endpoints.find((candidate) => candidate.matches(upstream)) : undefined;
    if (found !== undefined) return { kind: 'intercept', endpoint: found.endpoint };
    if (this.#rules.some((rule) => rule.method === method && rule.matches(upstream))) {
      return { kind: 'pass-through' };
    }
    return { kind: 'not-found' };
  }
}
