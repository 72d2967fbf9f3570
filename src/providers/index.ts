/**
 * Provider APIs, one folder each with the same file set (wire schema, parse-stream, convert-usage,
 * extract-prompt, extract-tool-calls, errors). A new provider type is a new folder and one line here.
 */
import type { ProviderType } from '../config/config.js';
import { anthropicProvider } from './anthropic/index.js';
import { openaiProvider } from './openai/index.js';
import type { ProviderAdapter } from './provider.js';

const adapters: Record<ProviderType, ProviderAdapter> = {
  openai: openaiProvider,
  anthropic: anthropicProvider,
};

/** The adapter of a provider type. */
export function providerAdapter(type: ProviderType): ProviderAdapter {
  return adapters[type];
}

/**
 * The adapter whose wire format a path belongs to, for errors on routes with no known instance (an unknown
 * provider name): an Anthropic path gets an Anthropic-shaped error, anything else OpenAI's.
 */
export function adapterForPath(path: string): ProviderAdapter {
  const byEndpoint = Object.values(adapters).find((adapter) => adapter.endpoints.has(path));
  return byEndpoint ?? adapters.openai;
}

export type * from './provider.js';
