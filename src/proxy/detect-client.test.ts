import { describe, expect, it } from 'vitest';
import { detectClient, sessionFromUserId } from './detect-client.js';

describe('detectClient', () => {
  it.each([
    ['claude-cli/2.0.14 (external, cli)', 'Claude Code'],
    ['Claude-CLI/1.0', 'Claude Code'],
    ['codex_cli_rs/0.46.0 (Mac OS 15.0.0; arm64) ghostty/1.2.0', 'Codex'],
    ['Zed/0.207.3', 'Zed'],
    ['GitHubCopilotChat/0.32.0', 'GitHub Copilot (VS Code)'],
    ['copilot/0.0.339 (linux v22.19.0) term/unknown', 'GitHub Copilot (CLI)'],
    ['Kilo-Code/4.100.0', 'Kilo Code'],
    ['Roo-Code/3.28.0', 'Roo Code'],
    ['mux/0.4.0', 'Mux'],
    ['Charm Crush/0.10.0', 'Charm Crush'],
    ['charm-crush/0.10.0', 'Charm Crush'],
    ['opencode/0.15.0', 'OpenCode'],
    ['OpenAI/JS 6.9.0', 'Unknown'],
    ['Mozilla/5.0 claude', 'Unknown'],
  ])('names %s as %s', (userAgent, client) => {
    expect(detectClient({ 'user-agent': userAgent }, null).client).toBe(client);
  });

  it('recognises Cursor by its version header', () => {
    expect(detectClient({ 'user-agent': 'node', 'x-cursor-client-version': '1.7.0' }, null).client).toBe(
      'Cursor',
    );
  });

  it.each([
    ['codex_cli_rs/0.46.0', 'session_id', 'Codex'],
    ['GitHubCopilotChat/0.32.0', 'x-interaction-id', 'GitHub Copilot (VS Code)'],
    ['copilot/0.0.339', 'x-client-session-id', 'GitHub Copilot (CLI)'],
    ['Kilo-Code/4.100.0', 'x-kilocode-taskid', 'Kilo Code'],
    ['mux/0.4.0', 'x-mux-workspace-id', 'Mux'],
    ['claude-cli/2.0.14', 'x-claude-code-session-id', 'Claude Code'],
  ])('reads the session of %s from %s', (userAgent, sessionHeader, client) => {
    expect(detectClient({ 'user-agent': userAgent, [sessionHeader]: 'sess-1' }, null)).toEqual({
      client,
      clientSessionId: 'sess-1',
    });
  });

  it('does not take a session header from a client that does not send it', () => {
    expect(detectClient({ 'user-agent': 'Zed/0.2', session_id: 'x' }, null).clientSessionId).toBeNull();
  });

  it('falls back to Claude Code metadata.user_id in both of its forms, the header winning', () => {
    const uuid = '0199a4c6-3c9a-7d1e-9b55-1f2e3d4c5b6a';
    const json = {
      metadata: { user_id: JSON.stringify({ device_id: 'd', account_uuid: 'a', session_id: uuid }) },
    };
    const legacy = { metadata: { user_id: `user_abc123_account_9f1c_session_${uuid}` } };
    const headers = { 'user-agent': 'claude-cli/2.0.14' };
    expect(detectClient(headers, json).clientSessionId).toBe(uuid);
    expect(detectClient(headers, legacy).clientSessionId).toBe(uuid);
    expect(detectClient({ ...headers, 'x-claude-code-session-id': 'h' }, json).clientSessionId).toBe('h');
    expect(detectClient({ 'user-agent': 'Zed/1' }, json).clientSessionId).toBeNull();
  });

  it('reads no session from a user id of another shape', () => {
    expect(sessionFromUserId('plain-user')).toBeNull();
    expect(sessionFromUserId('{broken')).toBeNull();
    expect(sessionFromUserId('{"session_id":""}')).toBeNull();
  });
});
