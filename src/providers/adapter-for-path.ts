/**
 * The adapter whose wire format a path belongs to, for errors on routes with no known instance (an unknown
 * provider name): the provider with an endpoint or pass-through rule matching the path answers in its own
 * shape, anything else in OpenAI's (the shape most clients understand).
 */
import { type ProviderAdapter, providerAdapter, providerAdapters } from './index.js';
import { compilePathPattern } from './match-path.js';

const matchers = providerAdapters.map((adapter) => ({
  adapter,
  matchers: [...adapter.endpoints, ...adapter.passThrough].map((entry) =>
    compilePathPattern(adapter.upstreamPath(entry.path)),
  ),
}));

/** The adapter for an error on `pathname` (no query string) when no instance is known. */
export function adapterForPath(pathname: string): ProviderAdapter {
  const found = matchers.find(({ adapter, matchers: list }) => {
    const upstream = adapter.upstreamPath(pathname);
    return list.some((matches) => matches(upstream));
  });
  return found?.adapter ?? providerAdapter('openai');
}
