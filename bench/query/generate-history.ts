/**
 * A realistic synthetic history for the query benchmark, generated inside the database with
 * `INSERT … SELECT generate_series` (seconds per million rows instead of minutes through the write path):
 * users with skewed activity, sessions of varied length (a heavy tail of day-long agent runs), threads of
 * agentic loops with tool calls and thinking, ~10 models, 6 clients, 4 provider instances, spread over
 * `days` days. The rollups are then built in bulk with the write path's semantics (see build-rollups.ts).
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/store/schema.js';

export interface HistoryOptions {
  interceptions: number;
  users: number;
  days: number;
}

/** Runs the generator on one connection (setseed makes random() repeatable within a session). */
export async function generateHistory(db: Kysely<Database>, options: HistoryOptions): Promise<void> {
  await db.connection().execute(async (connection) => {
    const run = (query: ReturnType<typeof sql>) => query.execute(connection);
    await run(sql`SELECT setseed(0.42)`);
    await run(sql`
      INSERT INTO users (id, username, name, email, avatar_url, roles, created_at, updated_at)
      SELECT gen_random_uuid(), 'user' || n, 'User ' || n, 'user' || n || '@example.com',
        'https://example.com/avatars/' || n || '.png', '{}', now(), now()
      FROM generate_series(0, ${options.users - 1}) n`);
    await run(sql`CREATE TEMP TABLE bench_users AS
      SELECT row_number() OVER (ORDER BY username) - 1 AS n, id FROM users WHERE username LIKE 'user%'`);
    // Sessions: 30% without a client session id (one thread, keyed by its root), 0.4% long agent runs;
    // about 9.5 interceptions per session on average.
    await run(sql`CREATE TEMP TABLE bench_sessions AS
      SELECT s AS n, keyless,
        CASE WHEN keyless THEN 1 + floor(random() * 6)::int
             WHEN random() < 0.004 THEN 300 + floor(random() * 1200)::int
             ELSE 1 + floor(-ln(1 - random()) * 8)::int END AS length,
        floor(${options.users} * power(random(), 2))::int AS user_n,
        (ARRAY['Claude Code','Claude Code','Claude Code','Claude Code','Codex','Codex','Cursor','Cursor',
          'GitHub Copilot (VS Code)','Zed','Kilo Code'])[1 + floor(random() * 11)::int] AS client,
        random() AS pick, random() AS pick2,
        date_trunc('milliseconds', now() - make_interval(secs => random() * ${options.days} * 86400)) AS started_at
      FROM (SELECT s, random() < 0.3 AS keyless FROM generate_series(1, ${Math.ceil(options.interceptions / 9)}) s) g`);
    // One row per interception, numbered in session order; a thread starts at a root and its last
    // interception (the final answer) makes no tool calls.
    await run(sql`CREATE TEMP TABLE bench_i AS
      WITH generated AS (
        SELECT s.n AS session_n, j, s.keyless, s.user_n, s.client, s.pick, s.pick2, random() AS pick3,
          s.started_at + make_interval(secs => (j - 1) * 25 + random()) AS started_at,
          (j = 1 OR (NOT s.keyless AND random() < 0.25)) AS is_root,
          (s.client = 'Claude Code' OR (s.client <> 'Codex' AND s.pick < 0.5)) AS anthropic
        FROM bench_sessions s, generate_series(1, s.length) j
      ), numbered AS (
        SELECT *, row_number() OVER (ORDER BY session_n, j) AS n,
          max(CASE WHEN is_root THEN j END) OVER (PARTITION BY session_n ORDER BY j) AS root_j,
          coalesce(lead(is_root) OVER (PARTITION BY session_n ORDER BY j), true) AS final
        FROM generated
      )
      SELECT *,
        -- UUIDv7 layout: 48-bit millisecond time, version 7, then bits derived from the row number.
        (lpad(to_hex((extract(epoch FROM started_at) * 1000)::bigint), 12, '0') || '7'
          || substr(md5(n::text), 1, 3) || '8' || substr(md5(n::text), 4, 15))::uuid AS id,
        CASE WHEN anthropic THEN 'anthropic' ELSE 'openai' END AS provider,
        CASE WHEN anthropic THEN (CASE WHEN pick2 < 0.05 THEN 'anthropic-eu' ELSE 'anthropic' END)
          ELSE (CASE WHEN pick2 < 0.1 THEN 'azure-openai' ELSE 'openai' END) END AS provider_name,
        CASE
          WHEN anthropic AND pick3 < 0.1 THEN 'claude-haiku-4'
          WHEN anthropic THEN (ARRAY['claude-sonnet-4','claude-sonnet-4','claude-opus-4','claude-3-7-sonnet'])[1 + floor(pick2 * 4)::int]
          WHEN client = 'Codex' THEN (ARRAY['gpt-5','gpt-5','gpt-5-mini','o3'])[1 + floor(pick2 * 4)::int]
          ELSE (ARRAY['gpt-4.1','gpt-4o','o4-mini','gpt-5'])[1 + floor(pick2 * 4)::int] END AS model
      FROM numbered WHERE n <= ${options.interceptions}`);
    await run(sql`CREATE INDEX ON bench_i (session_n, j)`);
    await run(sql`ANALYZE bench_i`);
    await insertRecords(run);
  });
}

async function insertRecords(run: (query: ReturnType<typeof sql>) => Promise<unknown>): Promise<void> {
  // Roots carry no thread ids; a child's parent is the previous interception, its root the thread's first.
  await run(sql`
    INSERT INTO aibridge_interceptions (id, initiator_id, api_key_id, provider, provider_name, model, client,
      client_session_id, session_key, thread_parent_id, thread_root_id, credential_kind, credential_hint, metadata,
      started_at, ended_at, upstream_status, error)
    SELECT b.id, u.id, 'BENCHKEY' || lpad((b.user_n % 100)::text, 2, '0'), b.provider, b.provider_name, b.model, b.client,
      CASE WHEN b.keyless THEN NULL ELSE 'session-' || b.session_n END,
      CASE WHEN b.keyless THEN coalesce(r.id, b.id)::text ELSE 'session-' || b.session_n END,
      CASE WHEN b.is_root THEN NULL ELSE p.id END, CASE WHEN b.is_root THEN NULL ELSE r.id END,
      CASE WHEN b.pick < 0.1 THEN 'byok' ELSE 'centralized' END, 'sk-a...' || substr(md5(b.user_n::text), 1, 4),
      jsonb_build_object('user_agent', CASE b.client WHEN 'Claude Code' THEN 'claude-cli/2.0.14 (external, cli)'
        WHEN 'Codex' THEN 'codex_cli_rs/0.46.0' ELSE 'Mozilla/5.0' END),
      b.started_at,
      CASE WHEN b.n % 2000 = 0 THEN NULL ELSE b.started_at + make_interval(secs => 2 + (b.n % 29)) END,
      -- About 1% of the ended interceptions failed upstream (the usage rollups count them).
      CASE WHEN b.n % 2000 = 0 THEN NULL WHEN b.n % 97 = 0 THEN 529 ELSE 200 END,
      CASE WHEN b.n % 2000 <> 0 AND b.n % 97 = 0 THEN 'overloaded' END
    FROM bench_i b
    JOIN bench_users u ON u.n = b.user_n
    LEFT JOIN bench_i r ON r.session_n = b.session_n AND r.j = b.root_j AND NOT b.is_root
    LEFT JOIN bench_i p ON p.session_n = b.session_n AND p.j = b.j - 1 AND NOT b.is_root`);
  await run(sql`
    INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens, output_tokens,
      cache_read_input_tokens, cache_write_input_tokens, metadata, created_at)
    SELECT gen_random_uuid(), b.id, 'msg_' || b.n || '_' || k, 200 + (b.n * 7919 % 20000), 20 + (b.n * 104729 % 3000),
      CASE WHEN b.provider = 'anthropic' THEN b.n * 31 % 60000 ELSE b.n * 17 % 8000 END,
      CASE WHEN b.provider = 'anthropic' THEN b.n * 13 % 4000 ELSE 0 END,
      CASE WHEN b.provider = 'anthropic' THEN jsonb_build_object('service_tier', 'standard',
          'server_tool_use', jsonb_build_object('web_search_requests', b.n % 2))
        ELSE jsonb_build_object('reasoning_tokens', b.n % 900, 'prompt_tokens_details', jsonb_build_object('audio_tokens', 0)) END,
      b.started_at + make_interval(secs => 1 + k)
    FROM bench_i b, generate_series(1, CASE WHEN b.n % 10 = 0 THEN 2 ELSE 1 END) k
    WHERE b.n % 2000 <> 0`);
  await run(sql`
    INSERT INTO aibridge_user_prompts (id, interception_id, provider_response_id, prompt, metadata, created_at)
    SELECT gen_random_uuid(), b.id, 'msg_' || b.n || '_1',
      'Task ' || b.n || ': ' || (ARRAY['fix the failing test in the parser module and explain the cause',
        'refactor the session store so that it can be shared by several servers behind a load balancer',
        'add pagination to the users endpoint with keyset cursors and tests for the edge cases',
        'why does the build fail on CI but not locally? look at the logs and the lockfile'])[1 + b.n % 4],
      '{}', b.started_at + interval '1 millisecond'
    FROM bench_i b WHERE b.is_root`);
  await run(sql`
    INSERT INTO aibridge_tool_usages (id, interception_id, provider_response_id, provider_tool_call_id, tool,
      server_url, input, injected, invocation_error, metadata, created_at)
    SELECT gen_random_uuid(), b.id, 'msg_' || b.n || '_1', 'toolu_' || b.n || '_' || k,
      (ARRAY['Read','Edit','Bash','Grep','Write','bmcp_github_search_issues'])[1 + (b.n + k) % 6],
      CASE WHEN (b.n + k) % 6 = 5 THEN 'https://mcp.example.com/github' END,
      '{"path":"src/module_' || (b.n % 500) || '/file_' || k || '.ts","limit":200}',
      (b.n + k) % 6 = 5, CASE WHEN (b.n + k) % 97 = 0 THEN 'tool timed out' END, '{}',
      b.started_at + make_interval(secs => 1) + k * interval '1 millisecond'
    FROM bench_i b, generate_series(1, 1 + (b.n % 3 = 0)::int) k
    WHERE NOT b.final AND b.n % 2000 <> 0`);
  await run(sql`
    INSERT INTO aibridge_model_thoughts (id, interception_id, provider_response_id, content, metadata, created_at)
    SELECT gen_random_uuid(), b.id, 'msg_' || b.n || '_1',
      'The user wants me to look at the code first. I should read the file, then decide on the smallest change.',
      '{}', b.started_at + interval '2 milliseconds'
    FROM bench_i b WHERE NOT b.final AND b.n % 5 < 2 AND b.n % 2000 <> 0`);
}
