import { stringField } from '../../json/read-json.js';
import type { ThoughtSummary } from '../../provider.js';
import { reasoningFields } from './chat-completions-api.js';

/** Collects reasoning text per choice from deltas or messages of OpenAI-compatible servers. */
export class ReasoningCollector {
  readonly #texts = new Map<number, string>();

  /** Reads the reasoning fields of one delta or message. */
  apply(choiceIndex: number, delta: Record<string, unknown>): void {
    for (const field of reasoningFields) {
      const text = stringField(delta, field);
      if (text) this.#texts.set(choiceIndex, (this.#texts.get(choiceIndex) ?? '') + text);
    }
  }

  /** One thought per choice that reasoned. */
  thoughts(): ThoughtSummary[] {
    return [...this.#texts.values()].map((content) => ({ content, metadata: {} }));
  }
}
