/**
 * Which coding client sent a request, and its own session id. Clients are told apart by their
 * User-Agent (case-insensitive prefix) or a header only they send; each keeps its session id somewhere else.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { asObject, stringField } from '../providers/json/read-json.js';

/** The detected client and its session id. */
export interface ClientInfo {
  client: string;
  clientSessionId: string | null;
}

interface ClientRule {
  name: string;
  userAgentPrefixes: readonly string[];
  /** The headers carrying the client's session id, in order of preference. */
  sessionHeaders?: readonly string[];
  /** Where the body carries the session id when no header does. */
  sessionFromBody?: (body: Record<string, unknown> | null) => string | null;
}

const rules: readonly ClientRule[] = [
  // Claude Code 2.x sends `claude-cli/<version> (external, cli|sdk-cli)`, the session in a header and,
  // inside `metadata.user_id`, in the body.
  {
    name: 'Claude Code',
    userAgentPrefixes: ['claude'],
    sessionHeaders: ['x-claude-code-session-id'],
    sessionFromBody: (body) => sessionFromUserId(stringField(asObject(body?.metadata ?? null), 'user_id')),
  },
  // Codex sends `codex_cli_rs/…`, `codex_exec/…` or `codex_vscode/…`; current versions name the session
  // `session-id` (older ones `session_id`) on HTTP requests and WebSocket upgrades alike, and repeat it
  // in the body's `client_metadata`.
  {
    name: 'Codex',
    userAgentPrefixes: ['codex'],
    sessionHeaders: ['session-id', 'session_id'],
    sessionFromBody: (body) => stringField(asObject(body?.client_metadata ?? null), 'session_id') || null,
  },
  { name: 'Zed', userAgentPrefixes: ['zed/'] },
  {
    name: 'GitHub Copilot (VS Code)',
    userAgentPrefixes: ['githubcopilotchat/'],
    sessionHeaders: ['x-interaction-id'],
  },
  { name: 'GitHub Copilot (CLI)', userAgentPrefixes: ['copilot/'], sessionHeaders: ['x-client-session-id'] },
  { name: 'Kilo Code', userAgentPrefixes: ['kilo-code/'], sessionHeaders: ['x-kilocode-taskid'] },
  { name: 'Roo Code', userAgentPrefixes: ['roo-code/'] },
  { name: 'Mux', userAgentPrefixes: ['mux/'], sessionHeaders: ['x-mux-workspace-id'] },
  { name: 'Charm Crush', userAgentPrefixes: ['charm crush/', 'charm-crush/'] },
  { name: 'OpenCode', userAgentPrefixes: ['opencode/'] },
  // Gemini CLI sends `GeminiCLI/<version> (<os>; <arch>)`, its interactive UI `GeminiCLI-tui/…`.
  { name: 'Gemini CLI', userAgentPrefixes: ['geminicli'] },
];

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || null;
}

/** Detects the client from the headers and finds its session id (in the headers, else in `body`). */
export function detectClient(headers: IncomingHttpHeaders, body: Record<string, unknown> | null): ClientInfo {
  const userAgent = (header(headers, 'user-agent') ?? '').toLowerCase();
  const rule = rules.find((candidate) =>
    candidate.userAgentPrefixes.some((prefix) => userAgent.startsWith(prefix)),
  );
  if (rule === undefined) {
    if (header(headers, 'x-cursor-client-version') !== null)
      return { client: 'Cursor', clientSessionId: null };
    return { client: 'Unknown', clientSessionId: null };
  }
  let clientSessionId: string | null = null;
  for (const name of rule.sessionHeaders ?? []) {
    clientSessionId ??= header(headers, name);
  }
  clientSessionId ??= rule.sessionFromBody?.(body) ?? null;
  return { client: rule.name, clientSessionId };
}

const legacySessionPattern = /_session_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * Claude Code's `metadata.user_id`: JSON text with a `session_id` (current versions), or the legacy
 * `user_<hash>_account_<uuid>_session_<uuid>` string.
 */
export function sessionFromUserId(userId: string | null): string | null {
  if (userId === null) return null;
  if (userId.startsWith('{')) {
    try {
      return stringField(asObject(JSON.parse(userId)), 'session_id') || null;
    } catch {
      return null;
    }
  }
  return legacySessionPattern.exec(userId)?.[1] ?? null;
}
