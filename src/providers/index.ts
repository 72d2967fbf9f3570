/**
 * Provider APIs, one folder each with the same file set (wire schema, parse-response, convert-usage,
 * extract-prompt, extract-tool-calls, extract-thinking, errors, index). A new provider type is a new
 * folder and one line here: its type name, default instance, flags, credential slots and routes all
 * derive from this table.
 */
import type { ProviderTypeInfo } from '../config/config.js';
import { anthropicProvider } from './anthropic/index.js';
import { geminiProvider } from './gemini/index.js';
import { openaiProvider } from './openai/index.js';
import type { ProviderAdapter } from './provider.js';

const adapters = {
  openai: openaiProvider,
  anthropic: anthropicProvider,
  gemini: geminiProvider,
} as const satisfies Record<string, ProviderAdapter>;

/** The wire API a provider instance speaks. */
export type ProviderType = keyof typeof adapters;

/** Every provider type with its default base URL, in registration order: what the configuration knows. */
export const providerTypes: readonly ProviderTypeInfo[] = Object.entries(adapters).map(([type, adapter]) => ({
  type,
  defaultBaseUrl: adapter.defaultBaseUrl,
}));

/** Every registered adapter. */
export const providerAdapters: readonly ProviderAdapter[] = Object.values(adapters);

/** The adapter of a provider type; the configuration admits only registered types. */
export function providerAdapter(type: string): ProviderAdapter {
  const adapter = (adapters as Record<string, ProviderAdapter>)[type];
  if (adapter === undefined) throw new Error(`unknown provider type "${type}"`);
  return adapter;
}

export type * from './provider.js';
