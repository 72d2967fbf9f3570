/**
 * Which coding client sent a request, and its own session id (SPEC §4). Clients are told apart by their
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
  /** The header carrying the client's session id, when it sends one. */
  sessionHeader?: string;
}

const rules: readonly ClientRule[] = [
  { name: 'Claude Code', userAgentPrefixes: ['claude'], sessionHeader: 'x-claude-code-session-id' },
  { name: 'Codex', userAgentPrefixes: ['codex'], sessionHeader: 'session_id' },
  { name: 'Zed', userAgentPrefixes: ['zed/'] },
  {
    name: 'GitHub Copilot (VS Code)',
    userAgentPrefixes: ['githubcopilotchat/'],
    sessionHeader: 'x-interaction-id',
  },
  { name: 'GitHub Copilot (CLI)', userAgentPrefixes: ['copilot/'], sessionHeader: 'x-client-session-id' },
  { name: 'Kilo Code', userAgentPrefixes: ['kilo-code/'], sessionHeader: 'x-kilocode-taskid' },
  { name: 'Roo Code', userAgentPrefixes: ['roo-code/'] },
  { name: 'Mux', userAgentPrefixes: ['mux/'], sessionHeader: 'x-mux-workspace-id' },
  { name: 'Charm Crush', userAgentPrefixes: ['charm crush/', 'charm-crush/'] },
  { name: 'OpenCode', userAgentPrefixes: ['opencode/'] },
];

const claudeCode = rules[0] as ClientRule;

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || null;
}

/** Detects the client from the headers and finds its session id (in `body` too, for Claude Code). */
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
  let clientSessionId = rule.sessionHeader === undefined ? null : header(headers, rule.sessionHeader);
  if (clientSessionId === null && rule === claudeCode) {
    clientSessionId = sessionFromUserId(stringField(asObject(body?.metadata ?? null), 'user_id'));
  }
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
