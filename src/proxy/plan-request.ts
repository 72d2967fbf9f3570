/**
 * What the proxy does with a request below an instance root: intercept it, pass it through unrecorded,
 * or refuse it. The decision is made on the path the provider would receive (after the provider maps the
 * client's path onto its base URL), so no spelling of a generation endpoint escapes interception.
 */
import type { PassThroughRule, ProviderConfig } from '../config/config.js';
import type { EndpointAdapter, ProviderAdapter } from '../providers/index.js';

/** The proxy's decision for one request. */
export type RequestPlan =
  | { kind: 'intercept'; endpoint: EndpointAdapter }
  | { kind: 'pass-through' }
  | { kind: 'not-found' };

interface CompiledRule {
  method: string;
  /** Upstream path segments; null stands for a `{name}` placeholder. */
  segments: (string | null)[];
}

function upstreamSegments(adapter: ProviderAdapter, pathname: string): string[] {
  return adapter
    .upstreamPath(pathname)
    .split('/')
    .filter((segment) => segment !== '');
}

function compileRule(adapter: ProviderAdapter, rule: PassThroughRule): CompiledRule {
  return {
    method: rule.method,
    segments: upstreamSegments(adapter, rule.path).map((segment) =>
      /^\{\w+\}$/.test(segment) ? null : segment,
    ),
  };
}

function matches(rule: CompiledRule, method: string, segments: readonly string[]): boolean {
  return (
    rule.method === method &&
    rule.segments.length === segments.length &&
    rule.segments.every((expected, index) => expected === null || expected === segments[index])
  );
}

/** The intercepted endpoints and pass-through rules of one instance, keyed by upstream path. */
export class RequestPlanner {
  readonly #adapter: ProviderAdapter;
  readonly #endpoints: ReadonlyMap<string, EndpointAdapter>;
  readonly #rules: readonly CompiledRule[];

  constructor(input: { adapter: ProviderAdapter; instance: ProviderConfig }) {
    const { adapter, instance } = input;
    this.#adapter = adapter;
    this.#endpoints = new Map(
      [...adapter.endpoints].map(([path, endpoint]) => [adapter.upstreamPath(path), endpoint]),
    );
    this.#rules = [...adapter.passThrough, ...(instance.passThrough ?? [])].map((rule) =>
      compileRule(adapter, rule),
    );
  }

  /** The plan for a request; `pathname` is confined (see `confinePath`), without its query string. */
  plan(method: string, pathname: string): RequestPlan {
    const upstream = this.#adapter.upstreamPath(pathname);
    const endpoint = method === 'POST' ? this.#endpoints.get(upstream) : undefined;
    if (endpoint !== undefined) return { kind: 'intercept', endpoint };
    const segments = upstream.split('/').filter((segment) => segment !== '');
    if (this.#rules.some((rule) => matches(rule, method, segments))) return { kind: 'pass-through' };
    return { kind: 'not-found' };
  }
}
