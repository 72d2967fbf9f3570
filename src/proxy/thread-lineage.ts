/**
 * Thread lineage: a request that answers tool call X continues the thread of the interception
 * that recorded X. Recent tool calls of this process are kept in memory (their records may still be in
 * the recorder's queue); older ones, or those another server recorded, are looked up in the database.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';

/** The parent and root of a new interception; both null for a thread root. */
export interface Lineage {
  threadParentId: string | null;
  threadRootId: string | null;
}

interface RememberedCall {
  interceptionId: string;
  rootId: string;
  initiatorId: string;
}

const noLineage: Lineage = { threadParentId: null, threadRootId: null };

/** Options of {@link ThreadLineage}. */
export interface ThreadLineageOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** Tool calls remembered in memory; the oldest are forgotten first. */
  capacity?: number;
  /** A lookup slower than this (e.g. during a database outage) gives up and starts a new thread. */
  lookupTimeoutMs?: number;
}

/** Finds the parent interception of a request from the tool call its latest tool result answers. */
export class ThreadLineage {
  readonly #db: Kysely<Database>;
  readonly #logger: Logger;
  readonly #capacity: number;
  readonly #lookupTimeoutMs: number;
  /** Insertion-ordered, so the first key is the oldest. */
  readonly #calls = new Map<string, RememberedCall>();

  constructor(options: ThreadLineageOptions) {
    this.#db = options.db;
    this.#logger = options.logger;
    this.#capacity = options.capacity ?? 50_000;
    this.#lookupTimeoutMs = options.lookupTimeoutMs ?? 2000;
  }

  /** Remembers the tool calls an interception recorded, with the root of its thread. */
  remember(input: {
    toolCallIds: readonly string[];
    interceptionId: string;
    rootId: string;
    initiatorId: string;
  }): void {
    for (const id of input.toolCallIds) {
      this.#calls.delete(id);
      this.#calls.set(id, {
        interceptionId: input.interceptionId,
        rootId: input.rootId,
        initiatorId: input.initiatorId,
      });
    }
    while (this.#calls.size > this.#capacity) {
      const oldest = this.#calls.keys().next().value;
      if (oldest === undefined) break;
      this.#calls.delete(oldest);
    }
  }

  /**
   * The lineage of a request answering `toolCallId` for `initiatorId`: synchronous from memory, else a
   * database lookup. Only the initiator's own interceptions count, so no one can join another's thread.
   */
  resolve(toolCallId: string | null, initiatorId: string): Lineage | Promise<Lineage> {
    if (toolCallId === null) return noLineage;
    const remembered = this.#calls.get(toolCallId);
    if (remembered !== undefined) {
      return remembered.initiatorId === initiatorId
        ? { threadParentId: remembered.interceptionId, threadRootId: remembered.rootId }
        : noLineage;
    }
    return this.#lookUp(toolCallId, initiatorId);
  }

  async #lookUp(toolCallId: string, initiatorId: string): Promise<Lineage> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.#lookupTimeoutMs);
    });
    try {
      const query = this.#db
        .selectFrom('aibridge_tool_usages as tool')
        .innerJoin('aibridge_interceptions as interception', 'interception.id', 'tool.interception_id')
        .select(['interception.id', 'interception.thread_root_id'])
        .where('tool.provider_tool_call_id', '=', toolCallId)
        .where('interception.initiator_id', '=', initiatorId)
        .orderBy('tool.created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const row = await Promise.race([query, timeout]);
      if (row === null)
        this.#logger.warn({ toolCallId }, 'thread lineage lookup timed out; starting a new thread');
      if (!row) return noLineage;
      return { threadParentId: row.id, threadRootId: row.thread_root_id ?? row.id };
    } catch (error) {
      this.#logger.warn({ err: error, toolCallId }, 'thread lineage lookup failed; starting a new thread');
      return noLineage;
    } finally {
      clearTimeout(timer);
    }
  }
}
