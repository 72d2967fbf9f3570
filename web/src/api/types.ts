/** Wire shapes of the bridge's API, as the dashboard reads them (extra fields are ignored). */

export interface MinimalUser {
  id: string;
  username: string;
  name: string;
  avatar_url: string;
}

export interface User extends MinimalUser {
  email: string;
  roles: string[];
  created_at: string;
}

export interface WebSession {
  user: User;
  csrf_token: string;
  expires_at: string;
}

export interface TokenSums {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
}

/** Error fields recorded on failed interceptions and threads, when the server sends them. */
export interface ErrorFields {
  upstream_status?: number | null;
  error_type?: string | null;
  error_message?: string | null;
}

export interface TokenUsage extends TokenSums {
  id: string;
  provider_response_id: string;
  metadata: Record<string, unknown>;
  created_at: string;
}

export interface ToolUsage {
  id: string;
  interception_id: string;
  provider_response_id: string;
  tool: string;
  input: string;
  injected: boolean;
  server_url: string | null;
  invocation_error?: string | null;
  created_at: string;
}

export interface Interception extends ErrorFields {
  id: string;
  api_key_id: string | null;
  initiator: MinimalUser;
  provider: string;
  provider_name: string;
  model: string;
  client: string;
  metadata: Record<string, unknown>;
  started_at: string;
  ended_at: string;
  token_usages: TokenUsage[];
  user_prompts: { id: string; prompt: string; provider_response_id: string; created_at: string }[];
  tool_usages: ToolUsage[];
}

export interface InterceptionsPage {
  count: number;
  results: Interception[];
}

export interface Session {
  id: string;
  initiator: MinimalUser;
  providers: string[];
  models: string[];
  client: string;
  metadata: Record<string, unknown>;
  started_at: string;
  ended_at: string;
  threads: number;
  /** Failed interceptions (with an error type). */
  errors: number;
  last_prompt: string | null;
  last_active_at: string;
  token_usage_summary: TokenSums;
}

export interface SessionsPage {
  count: number;
  sessions: Session[];
}

export interface TokenSumsWithMetadata extends TokenSums {
  metadata: Record<string, number>;
}

export interface AgenticAction {
  model: string;
  thinking: { text: string }[];
  token_usage: TokenSumsWithMetadata;
  tool_calls: ToolUsage[];
}

export interface Thread extends ErrorFields {
  id: string;
  prompt: string | null;
  model: string;
  provider: string;
  credential_kind: string;
  credential_hint: string;
  started_at: string;
  ended_at: string;
  token_usage: TokenSumsWithMetadata;
  agentic_actions: AgenticAction[];
}

export interface SessionThreads {
  id: string;
  initiator: MinimalUser;
  providers: string[];
  models: string[];
  client: string;
  metadata: Record<string, unknown>;
  started_at: string;
  ended_at: string;
  errors: number;
  page_started_at: string | null;
  page_ended_at: string | null;
  threads: Thread[];
  token_usage_summary: TokenSumsWithMetadata;
}

export interface UsageSums {
  interceptions: number;
  failed_interceptions: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
}

export interface Usage {
  interval: 'hour' | 'day';
  group_by: string;
  started_after: string;
  started_before: string;
  totals: UsageSums & { sessions: number; active_users: number; error_rate: number };
  groups: (UsageSums & { key: string; label: string })[];
  /** Per bucket and group, as columns: each group holds one number per bucket for every sum. */
  series: {
    buckets: string[];
    groups: ({ key: string | null } & { [Name in keyof UsageSums]: number[] })[];
  };
  top_users: (UsageSums & { user: MinimalUser })[];
  top_models: (UsageSums & { model: string })[];
  top_clients: (UsageSums & { client: string })[];
}

export interface ApiToken {
  id: string;
  user_id: string;
  token_name: string;
  created_at: string;
  expires_at: string | null;
  last_used: string | null;
}
