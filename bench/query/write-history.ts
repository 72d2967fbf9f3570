/**
 * The query benchmark's history written the way a deployment writes it: interceptions in time order, built
 * by the proxy's own `buildRecords`, queued on a real `Recorder` (batches as it makes them) and written by
 * `writeRecords`, with the product's statistics upkeep counting the rows unless `upkeep` is false (how the
 * bridge ran before it had one). Its shape follows generate-history.ts (the bulk SQL generator): users with
 * skewed activity, sessions of varied length with a heavy tail, threads of tool loops, ~10 models, 6
 * clients, 4 provider instances, spread over `days` days; a seeded generator makes it repeatable.
 */
import type { Kysely } from 'kysely';
import type { InterceptionStart, RecordEvent } from '../../src/core/records.js';
import { buildRecords } from '../../src/proxy/build-records.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { createLogger } from '../../src/server/logger.js';
import { StatisticsUpkeep } from '../../src/store/keep-statistics.js';
import type { Database } from '../../src/store/schema.js';
import { createUser } from '../../src/store/users.js';
import { writeRecords } from '../../src/store/write-records.js';

export interface WriteHistoryOptions {
  interceptions: number;
  users: number;
  days: number;
  /** Count written rows into a StatisticsUpkeep, as run-server.ts does. */
  upkeep: boolean;
}

/** mulberry32: a small seeded generator, so every run writes the same history. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUIDv7 for a moment in the past, unique by `serial` (the live proxy makes them at `startedAt`). */
function historicalId(at: number, serial: number): string {
  const hex = `${at.toString(16).padStart(12, '0')}7${serial.toString(16).padStart(19, '0').slice(-19)}`;
  const variant = `8${hex.slice(17, 20)}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${variant}-${hex.slice(20, 32)}`;
}

interface Skeleton {
  n: number;
  at: number;
  session: number;
  keyless: boolean;
  user: number;
  client: string;
  pick: number;
  pick2: number;
  pick3: number;
  root: boolean;
  final: boolean;
  id: string;
  parentId: string | null;
  rootId: string | null;
}

const clients = [
  'Claude Code',
  'Claude Code',
  'Claude Code',
  'Claude Code',
  'Codex',
  'Codex',
  'Cursor',
  'Cursor',
  'GitHub Copilot (VS Code)',
  'Zed',
  'Kilo Code',
];
const tools = ['Read', 'Edit', 'Bash', 'Grep', 'Write', 'bmcp_github_search_issues'];
const prompts = [
  'fix the failing test in the parser module and explain the cause',
  'refactor the session store so that it can be shared by several servers behind a load balancer',
  'add pagination to the users endpoint with keyset cursors and tests for the edge cases',
  'why does the build fail on CI but not locally? look at the logs and the lockfile',
];

/** Every interception's shape, in start order. */
function skeletons(options: WriteHistoryOptions): Skeleton[] {
  const random = seeded(42);
  const now = Date.now();
  const all: Skeleton[] = [];
  let serial = 0;
  for (let session = 1; all.length < options.interceptions; session += 1) {
    const keyless = random() < 0.3;
    const length = keyless
      ? 1 + Math.floor(random() * 6)
      : random() < 0.004
        ? 300 + Math.floor(random() * 1200)
        : 1 + Math.floor(-Math.log(1 - random()) * 8);
    const user = Math.floor(options.users * random() ** 2);
    const client = clients[Math.floor(random() * clients.length)]!;
    const pick = random();
    const pick2 = random();
    const sessionStart = now - random() * options.days * 86_400_000;
    let rootId: string | null = null;
    let previous: Skeleton | null = null;
    for (let j = 1; j <= length && all.length < options.interceptions; j += 1) {
      const at = Math.min(now, Math.round(sessionStart + (j - 1) * 25_000 + random() * 1000));
      const root = j === 1 || (!keyless && random() < 0.25);
      serial += 1;
      const id = historicalId(at, serial);
      if (previous !== null && root) previous.final = true;
      const skeleton: Skeleton = {
        n: serial,
        at,
        session,
        keyless,
        user,
        client,
        pick,
        pick2,
        pick3: random(),
        root,
        final: false,
        id,
        parentId: root ? null : (previous?.id ?? null),
        rootId: root ? null : rootId,
      };
      if (root) rootId = id;
      all.push(skeleton);
      previous = skeleton;
    }
    if (previous !== null) previous.final = true;
  }
  return all.sort((a, b) => a.at - b.at || a.n - b.n);
}

function model(skeleton: Skeleton, anthropic: boolean): string {
  const { pick2, pick3, client } = skeleton;
  if (anthropic && pick3 < 0.1) return 'claude-haiku-4';
  const index = Math.floor(pick2 * 4);
  if (anthropic) return ['claude-sonnet-4', 'claude-sonnet-4', 'claude-opus-4', 'claude-3-7-sonnet'][index]!;
  if (client === 'Codex') return ['gpt-5', 'gpt-5', 'gpt-5-mini', 'o3'][index]!;
  return ['gpt-4.1', 'gpt-4o', 'o4-mini', 'gpt-5'][index]!;
}

/** The record events the proxy would have queued for one interception. */
function eventsOf(skeleton: Skeleton, userIds: readonly string[]): RecordEvent[] {
  const { n, client, pick, pick2 } = skeleton;
  const anthropic = client === 'Claude Code' || (client !== 'Codex' && pick < 0.5);
  const startedAt = new Date(skeleton.at);
  const start: InterceptionStart = {
    id: skeleton.id,
    initiatorId: userIds[skeleton.user]!,
    apiKeyId: `BENCHKEY${String(skeleton.user % 100).padStart(2, '0')}`,
    provider: anthropic ? 'anthropic' : 'openai',
    providerName: anthropic
      ? pick2 < 0.05
        ? 'anthropic-eu'
        : 'anthropic'
      : pick2 < 0.1
        ? 'azure-openai'
        : 'openai',
    model: model(skeleton, anthropic),
    client,
    clientSessionId: skeleton.keyless ? null : `session-${skeleton.session}`,
    threadParentId: skeleton.parentId,
    threadRootId: skeleton.rootId,
    credentialKind: pick < 0.1 ? 'byok' : 'centralized',
    credentialHint: `sk-a...${String(skeleton.user).padStart(4, '0')}`,
    metadata: {
      user_agent:
        client === 'Claude Code'
          ? 'claude-cli/2.0.14 (external, cli)'
          : client === 'Codex'
            ? 'codex_cli_rs/0.46.0'
            : 'Mozilla/5.0',
    },
    startedAt,
  };
  const toolCount = skeleton.final ? 0 : 1 + (n % 3 === 0 ? 1 : 0);
  const events = buildRecords({
    start,
    prompt: skeleton.root ? `Task ${n}: ${prompts[n % 4]}` : null,
    outcome: {
      endedAt: new Date(skeleton.at + 2000 + (n % 29) * 1000),
      upstreamStatus: 200,
      error: null,
      metadata: {},
      summary: {
        responseId: `msg_${n}`,
        usage: {
          inputTokens: 200 + ((n * 7919) % 20000),
          outputTokens: 20 + ((n * 104729) % 3000),
          cacheReadInputTokens: anthropic ? (n * 31) % 60000 : (n * 17) % 8000,
          cacheWriteInputTokens: anthropic ? (n * 13) % 4000 : 0,
          metadata: anthropic
            ? { service_tier: 'standard', server_tool_use: { web_search_requests: n % 2 } }
            : { reasoning_tokens: n % 900 },
        },
        toolCalls: Array.from({ length: toolCount }, (_, k) => ({
          providerToolCallId: `toolu_${n}_${k}`,
          tool: tools[(n + k) % tools.length]!,
          input: `{"path":"src/module_${n % 500}/file_${k}.ts","limit":200}`,
          metadata: {},
        })),
        thoughts:
          !skeleton.final && n % 5 < 2
            ? [
                {
                  content: 'The user wants me to look at the code first. I should read the file.',
                  metadata: {},
                },
              ]
            : [],
        error: null,
        problems: [],
      },
    },
  });
  // One in 2,000 never ended (a crash mid-request), as in the bulk generator.
  return n % 2000 === 0 ? events.filter((event) => event.kind !== 'interception-end') : events;
}

/** Writes the history; returns the events written and the analyzes the upkeep ran. */
export async function writeHistory(
  db: Kysely<Database>,
  options: WriteHistoryOptions,
): Promise<{ events: number; analyzes: number }> {
  const userIds: string[] = [];
  for (let index = 0; index < options.users; index += 1) {
    const user = await createUser(db, {
      username: `user${index}`,
      name: `User ${index}`,
      email: `user${index}@example.com`,
    });
    if (user === null) throw new Error(`user${index} exists already`);
    userIds.push(user.id);
  }
  const logger = createLogger({ level: 'silent' });
  const statistics = options.upkeep ? new StatisticsUpkeep({ db, logger }) : null;
  statistics?.start();
  const recorder = new Recorder({
    db,
    logger,
    capacity: Number.MAX_SAFE_INTEGER,
    write: async (database, events) => {
      await writeRecords(database, events);
      statistics?.noteWritten(events.length);
    },
  });
  const all = skeletons(options);
  let events = 0;
  // Queued a few thousand at a time, as a busy proxy would, so memory stays flat.
  for (let offset = 0; offset < all.length; offset += 4000) {
    for (const skeleton of all.slice(offset, offset + 4000)) {
      const batch = eventsOf(skeleton, userIds);
      events += batch.length;
      recorder.enqueue(batch, { admitted: true });
    }
    await recorder.drain();
  }
  await statistics?.close();
  return { events, analyzes: statistics?.analyzes ?? 0 };
}
