/**
 * Closed-loop proxy load through the official OpenAI SDK: `concurrency` workers each send requests one
 * after another (streaming and blocking in turn) until stopped, and every answer is kept with its
 * interception id, so a test can check afterwards that each one was recorded.
 */
import OpenAI from 'openai';

/** One answer the load got. */
export interface LoadResult {
  status: number;
  /** `X-AIBridge-Interception-Id`, when the bridge answered with one. */
  interceptionId: string | null;
  prompt: string;
  stream: boolean;
}

/** Running load. */
export interface ProxyLoad {
  readonly results: readonly LoadResult[];
  /** Resolves once `predicate` holds after some answer arrived (checked on each answer). */
  until(predicate: (results: readonly LoadResult[]) => boolean): Promise<void>;
  /** Stops sending, waits for the requests in flight, and returns every answer. */
  stop(): Promise<LoadResult[]>;
}

/** Starts load against a bridge's OpenAI route with a bridge token. */
export function startProxyLoad(input: { url: string; token: string; concurrency: number }): ProxyLoad {
  const openai = new OpenAI({
    baseURL: `${input.url}/api/v2/aibridge/openai/v1`,
    apiKey: input.token,
    maxRetries: 0,
  });
  const results: LoadResult[] = [];
  const waiters: Array<{ predicate: (results: readonly LoadResult[]) => boolean; resolve: () => void }> = [];
  let stopped = false;
  let sequence = 0;

  const one = async (stream: boolean): Promise<LoadResult> => {
    const prompt = `load ${sequence++}`;
    const messages = [{ role: 'user' as const, content: prompt }];
    try {
      if (stream) {
        // Read as bytes to the end: the SDK's iterator closes the connection at `[DONE]`, which may come
        // before the upstream response ended, and this load is about recording, not that race.
        const response = await openai.chat.completions
          .create({ model: 'gpt-4.1', stream: true, messages })
          .asResponse();
        await response.text();
        return {
          status: response.status,
          interceptionId: response.headers.get('x-aibridge-interception-id'),
          prompt,
          stream,
        };
      }
      const { response } = await openai.chat.completions
        .create({ model: 'gpt-4.1', messages })
        .withResponse();
      return {
        status: response.status,
        interceptionId: response.headers.get('x-aibridge-interception-id'),
        prompt,
        stream,
      };
    } catch (error) {
      if (error instanceof OpenAI.APIError) {
        return {
          status: error.status ?? 0,
          interceptionId: error.headers?.get('x-aibridge-interception-id') ?? null,
          prompt,
          stream,
        };
      }
      return { status: 0, interceptionId: null, prompt, stream };
    }
  };

  const worker = async (index: number) => {
    let stream = index % 2 === 0;
    while (!stopped) {
      results.push(await one(stream));
      stream = !stream;
      for (const waiter of waiters.splice(0)) {
        if (waiter.predicate(results)) waiter.resolve();
        else waiters.push(waiter);
      }
    }
  };
  const workers = Array.from({ length: input.concurrency }, (_, index) => worker(index));

  return {
    results,
    until: (predicate) =>
      predicate(results) ? Promise.resolve() : new Promise((resolve) => waiters.push({ predicate, resolve })),
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      return results;
    },
  };
}
