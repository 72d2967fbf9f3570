import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The newest interception of `initiatorId` that recorded the tool call `toolCallId`, with the root of its
 * thread (itself when it is a root); undefined when there is none. Only the initiator's own interceptions
 * are searched, so no one can join another's thread.
 */
export async function findToolCallInterception(
  db: Kysely<Database>,
  input: { toolCallId: string; initiatorId: string },
): Promise<{ id: string; threadRootId: string } | undefined> {
  const row = await db
    .selectFrom('aibridge_tool_usages as tool')
    .innerJoin('aibridge_interceptions as interception', 'interception.id', 'tool.interception_id')
    .select(['interception.id', 'interception.thread_root_id'])
    .where('tool.provider_tool_call_id', '=', input.toolCallId)
    .where('interception.initiator_id', '=', input.initiatorId)
    .orderBy('tool.created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, threadRootId: row.thread_root_id ?? row.id };
}
