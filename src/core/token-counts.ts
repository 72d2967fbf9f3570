/** Token counts of one response or a sum of many, with cache reads and writes apart from plain input. */
export interface TokenCounts {
  /** Input tokens that were neither read from nor written to the provider's prompt cache. */
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
}
