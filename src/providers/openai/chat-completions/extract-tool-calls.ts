import { asObject, numberField, stringField } from '../../json/read-json.js';
import type { ToolCallSummary } from '../../provider.js';

interface ToolCallInProgress {
  id: string | null;
  name: string;
  input: string;
  type: string;
}

/**
 * Assembles tool calls from `tool_calls` entries: streamed deltas (`{index, id, function: {name,
 * arguments}}` with the arguments split over many chunks) or a blocking message's complete calls (no
 * `index`: their position stands in). Parallel calls and several choices are kept apart by (choice,
 * index). Custom tools (`{custom: {name, input}}`) are read like functions.
 */
export class ToolCallAssembler {
  readonly #calls = new Map<string, ToolCallInProgress>();

  /** Applies one entry of a choice's `tool_calls`. */
  apply(choiceIndex: number, entry: Record<string, unknown>, position: number): void {
    const key = `${choiceIndex}:${numberField(entry, 'index') ?? position}`;
    let call = this.#calls.get(key);
    if (call === undefined) {
      call = { id: null, name: '', input: '', type: stringField(entry, 'type') ?? 'function' };
      this.#calls.set(key, call);
    }
    call.id ??= stringField(entry, 'id');
    const fn = asObject(entry.function);
    const custom = asObject(entry.custom);
    // The name arrives whole in the first delta; some compatible servers repeat it in later ones.
    if (call.name === '') call.name = stringField(fn, 'name') ?? stringField(custom, 'name') ?? '';
    call.input += stringField(fn, 'arguments') ?? stringField(custom, 'input') ?? '';
  }

  /** The calls in the order they started. */
  calls(): ToolCallSummary[] {
    return [...this.#calls.values()].map((call) => ({
      providerToolCallId: call.id,
      tool: call.name,
      input: call.input,
      metadata: call.type === 'function' ? {} : { type: call.type },
    }));
  }
}
