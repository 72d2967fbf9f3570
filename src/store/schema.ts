import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables created by the migrations. Times read back as Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<Record<string, unknown>, string, string>;
/** bigint and numeric come back as numbers (see the type parsers in open-store.ts). */
type BigInt = ColumnType<number, number, number>;

export interface UsersTable {
  id: string;
  username: string;
  name: Generated<string>;
  email: Generated<string>;
  avatar_url: Generated<string>;
  roles: Generated<string[]>;
  status: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  token_name: string;
  hashed_secret: Buffer;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface InterceptionsTable {
  id: string;
  initiator_id: string;
  api_key_id: string | null;
  provider: string;
  provider_name: string;
  model: string;
  client: string;
  client_session_id: string | null;
  session_key: string;
  thread_parent_id: string | null;
  thread_root_id: string | null;
  credential_kind: string;
  credential_hint: Generated<string>;
  metadata: Json;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  upstream_status: number | null;
  error: string | null;
  /** The failure class, computed by the database from the columns above (migration 0006). */
  error_type: ColumnType<string | null, never, never>;
}

export interface TokenUsagesTable {
  id: string;
  interception_id: string;
  provider_response_id: string;
  input_tokens: BigInt;
  output_tokens: BigInt;
  cache_read_input_tokens: BigInt;
  cache_write_input_tokens: BigInt;
  metadata: Json;
  created_at: Timestamp;
}

export interface UserPromptsTable {
  id: string;
  interception_id: string;
  provider_response_id: string;
  prompt: string;
  metadata: Json;
  created_at: Timestamp;
}

export interface ToolUsagesTable {
  id: string;
  interception_id: string;
  provider_response_id: string;
  provider_tool_call_id: string | null;
  tool: string;
  server_url: string | null;
  input: string;
  injected: boolean;
  invocation_error: string | null;
  metadata: Json;
  created_at: Timestamp;
}

export interface ModelThoughtsTable {
  id: string;
  interception_id: string;
  provider_response_id: string;
  content: string;
  metadata: Json;
  created_at: Timestamp;
}

export interface SessionsTable {
  initiator_id: string;
  session_key: string;
  first_interception_id: string;
  client: string;
  metadata: Json;
  started_at: Timestamp;
  ended_at: Timestamp;
  last_prompt: string | null;
  last_prompt_at: Timestamp | null;
  last_active_at: Timestamp;
  providers: string[];
  provider_names: string[];
  models: string[];
  interceptions: BigInt;
  threads: BigInt;
  /** Ended interceptions with an error type (migration 0010). */
  errors: Generated<BigInt>;
  input_tokens: BigInt;
  output_tokens: BigInt;
  cache_read_input_tokens: BigInt;
  cache_write_input_tokens: BigInt;
  /** Numeric usage metadata summed by dotted key (migration 0004). */
  token_metadata: Generated<Record<string, number>>;
}

/** The sessions rollup's `models` unnested, one row per model of a session (migration 0005). */
export interface SessionModelsTable {
  model: string;
  initiator_id: string;
  session_key: string;
}

export interface InterceptionCountsTable {
  day: ColumnType<string, string, string>;
  initiator_id: string;
  provider: string;
  provider_name: string;
  model: string;
  client: string;
  interceptions: BigInt;
  /** Failures and token sums (migration 0008). */
  failed: Generated<BigInt>;
  input_tokens: Generated<BigInt>;
  output_tokens: Generated<BigInt>;
  cache_read_input_tokens: Generated<BigInt>;
  cache_write_input_tokens: Generated<BigInt>;
}

/** Ended interceptions, failures and token sums per UTC hour and dimension (migration 0008). */
export interface UsageHourlyTable {
  hour: Timestamp;
  initiator_id: string;
  provider: string;
  provider_name: string;
  model: string;
  client: string;
  interceptions: BigInt;
  failed: BigInt;
  input_tokens: BigInt;
  output_tokens: BigInt;
  cache_read_input_tokens: BigInt;
  cache_write_input_tokens: BigInt;
}

/** Usage per hour, day (migration 0008), week or month (0010) for one dimension at a time, everyone's. */
export interface UsageByDimensionTable {
  granularity: 'hour' | 'day' | 'week' | 'month';
  dimension: string;
  bucket: Timestamp;
  key: string;
  interceptions: BigInt;
  failed: BigInt;
  input_tokens: BigInt;
  output_tokens: BigInt;
  cache_read_input_tokens: BigInt;
  cache_write_input_tokens: BigInt;
}

/** Sessions by the UTC hour, day, week or month they started, kept by triggers (migration 0010). */
export interface SessionStartsTable {
  granularity: 'hour' | 'day' | 'week' | 'month';
  bucket: Timestamp;
  sessions: BigInt;
}

/** Sessions started per initiator and period (migration 0013), kept by triggers on `aibridge_sessions`. */
export interface UserSessionStartsTable {
  initiator_id: string;
  granularity: 'hour' | 'day' | 'week' | 'month';
  bucket: Timestamp;
  sessions: BigInt;
}

/** A browser sign-in (migration 0008); the cookie's secret is stored only as its SHA-256. */
export interface WebSessionsTable {
  secret_hash: Buffer;
  user_id: string;
  api_key_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** Ended interceptions over all time per dimension (migration 0003). */
export interface InterceptionTotalsTable {
  initiator_id: string;
  provider: string;
  provider_name: string;
  model: string;
  client: string;
  interceptions: BigInt;
}

export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  aibridge_interceptions: InterceptionsTable;
  aibridge_token_usages: TokenUsagesTable;
  aibridge_user_prompts: UserPromptsTable;
  aibridge_tool_usages: ToolUsagesTable;
  aibridge_model_thoughts: ModelThoughtsTable;
  aibridge_sessions: SessionsTable;
  aibridge_session_models: SessionModelsTable;
  aibridge_interception_counts: InterceptionCountsTable;
  aibridge_interception_totals: InterceptionTotalsTable;
  aibridge_usage_hourly: UsageHourlyTable;
  aibridge_usage_by_dimension: UsageByDimensionTable;
  aibridge_session_starts: SessionStartsTable;
  aibridge_user_session_starts: UserSessionStartsTable;
  web_sessions: WebSessionsTable;
}
