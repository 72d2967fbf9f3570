/**
 * The initial schema: users, API keys, and the AI Bridge records (interceptions and their token usages, prompts, tool calls and thoughts), plus two rollups the query
 * API reads instead of aggregating the whole record table (see the comments on each).
 * Plain PostgreSQL 15 SQL: it runs unchanged on PGlite (PostgreSQL 18) and on a server.
 */
export const initialSchema = `
CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL,
  name text NOT NULL DEFAULT '',
  email text NOT NULL DEFAULT '',
  avatar_url text NOT NULL DEFAULT '',
  roles text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- Usernames are unique case-insensitively; lookups go through lower(username).
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_name text NOT NULL,
  hashed_secret bytea NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);
CREATE UNIQUE INDEX api_keys_user_name ON api_keys (user_id, token_name);

CREATE TABLE aibridge_interceptions (
  id uuid PRIMARY KEY,
  initiator_id uuid NOT NULL REFERENCES users (id),
  api_key_id text,
  provider text NOT NULL,
  provider_name text NOT NULL,
  model text NOT NULL,
  client text NOT NULL,
  client_session_id text,
  -- The session: client_session_id, else thread_root_id, else id. Fixed at the start.
  session_key text NOT NULL,
  thread_parent_id uuid,
  thread_root_id uuid,
  credential_kind text NOT NULL,
  credential_hint text NOT NULL DEFAULT '',
  metadata jsonb NOT NULL DEFAULT '{}',
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  upstream_status integer,
  error text
);
-- The interceptions list reads only ended rows, newest first, optionally per initiator.
CREATE INDEX aibridge_interceptions_started ON aibridge_interceptions (started_at DESC, id DESC)
  WHERE ended_at IS NOT NULL;
CREATE INDEX aibridge_interceptions_initiator_started
  ON aibridge_interceptions (initiator_id, started_at DESC, id DESC) WHERE ended_at IS NOT NULL;
-- Session threads read one session's interceptions.
CREATE INDEX aibridge_interceptions_session ON aibridge_interceptions (session_key, initiator_id, started_at);
CREATE INDEX aibridge_interceptions_thread_root ON aibridge_interceptions (thread_root_id)
  WHERE thread_root_id IS NOT NULL;
-- Retention purges by start time over every row, ended or not.
CREATE INDEX aibridge_interceptions_started_all ON aibridge_interceptions (started_at);

CREATE TABLE aibridge_token_usages (
  id uuid PRIMARY KEY,
  interception_id uuid NOT NULL REFERENCES aibridge_interceptions (id) ON DELETE CASCADE,
  provider_response_id text NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cache_read_input_tokens bigint NOT NULL DEFAULT 0,
  cache_write_input_tokens bigint NOT NULL DEFAULT 0,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL
);
CREATE INDEX aibridge_token_usages_interception ON aibridge_token_usages (interception_id);

CREATE TABLE aibridge_user_prompts (
  id uuid PRIMARY KEY,
  interception_id uuid NOT NULL REFERENCES aibridge_interceptions (id) ON DELETE CASCADE,
  provider_response_id text NOT NULL,
  prompt text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL
);
CREATE INDEX aibridge_user_prompts_interception ON aibridge_user_prompts (interception_id);

CREATE TABLE aibridge_tool_usages (
  id uuid PRIMARY KEY,
  interception_id uuid NOT NULL REFERENCES aibridge_interceptions (id) ON DELETE CASCADE,
  provider_response_id text NOT NULL,
  provider_tool_call_id text,
  tool text NOT NULL,
  server_url text,
  input text NOT NULL,
  injected boolean NOT NULL DEFAULT false,
  invocation_error text,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL
);
CREATE INDEX aibridge_tool_usages_interception ON aibridge_tool_usages (interception_id);
-- Thread lineage: a request answering tool call X finds the interception that recorded X.
CREATE INDEX aibridge_tool_usages_call_id ON aibridge_tool_usages (provider_tool_call_id)
  WHERE provider_tool_call_id IS NOT NULL;

CREATE TABLE aibridge_model_thoughts (
  id uuid PRIMARY KEY,
  interception_id uuid NOT NULL REFERENCES aibridge_interceptions (id) ON DELETE CASCADE,
  provider_response_id text NOT NULL DEFAULT '',
  content text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL
);
CREATE INDEX aibridge_model_thoughts_interception ON aibridge_model_thoughts (interception_id);

-- One row per (initiator, session key), maintained by the writer when an interception ends, so that the
-- sessions list is an index scan over ~1/10 of the interceptions instead of a GROUP BY over all of them.
CREATE TABLE aibridge_sessions (
  initiator_id uuid NOT NULL REFERENCES users (id),
  session_key text NOT NULL,
  -- Client and metadata are those of the earliest-started interception.
  first_interception_id uuid NOT NULL,
  client text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  last_prompt text,
  last_prompt_at timestamptz,
  -- Last activity: the time of the newest prompt, else the first start.
  last_active_at timestamptz NOT NULL,
  providers text[] NOT NULL DEFAULT '{}',
  provider_names text[] NOT NULL DEFAULT '{}',
  models text[] NOT NULL DEFAULT '{}',
  interceptions bigint NOT NULL DEFAULT 0,
  threads bigint NOT NULL DEFAULT 0,
  input_tokens bigint NOT NULL DEFAULT 0,
  output_tokens bigint NOT NULL DEFAULT 0,
  cache_read_input_tokens bigint NOT NULL DEFAULT 0,
  cache_write_input_tokens bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (initiator_id, session_key)
);
CREATE INDEX aibridge_sessions_active ON aibridge_sessions (last_active_at DESC, session_key DESC, initiator_id);
CREATE INDEX aibridge_sessions_initiator_active
  ON aibridge_sessions (initiator_id, last_active_at DESC, session_key DESC);
CREATE INDEX aibridge_sessions_key ON aibridge_sessions (session_key);

-- Ended interceptions counted per UTC day and dimension, so count over a million rows is a sum over a few
-- thousand; the partial days at the edges of a time filter are counted from the index.
CREATE TABLE aibridge_interception_counts (
  day date NOT NULL,
  initiator_id uuid NOT NULL,
  provider text NOT NULL,
  provider_name text NOT NULL,
  model text NOT NULL,
  client text NOT NULL,
  interceptions bigint NOT NULL,
  PRIMARY KEY (day, initiator_id, provider, provider_name, model, client)
);
CREATE INDEX aibridge_interception_counts_initiator ON aibridge_interception_counts (initiator_id, day);
`;
