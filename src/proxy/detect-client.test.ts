import { describe, expect, it } from 'vitest';
import { readAgentRequest } from '../../test/fake-provider/fixtures.js';
import { detectClient, sessionFromUserId } from './detect-client.js';

describe('detectClient', () => {
  it.each([
    ['claude-cli/2.0.14 (external, cli)', 'Claude Code'],
    ['claude-cli/2.1.332 (external, sdk-cli)', 'Claude Code'],
    ['codex_exec/0.171.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.171.0)', 'Codex'],
    ['codex_vscode/0.171.0 (Mac OS 26.1.0; arm64) vscode/1.106.0', 'Codex'],
    ['GeminiCLI/0.61.0 (linux; x64)', 'Gemini CLI'],
    [
      'GeminiCLI-tui/0.53.0/gemini-3.1-pro-preview (darwin; arm64; terminal) google-api-nodejs-client/9.15.1',
      'Gemini CLI',
    ],
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
    ['codex_exec/0.171.0', 'session-id', 'Codex'],
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

  it.each([
    ['claude-code-1-prompt.json', 'Claude Code', 'dc2dde36-528b-4a41-8b69-896a63c019a4'],
    ['claude-code-3-second-prompt.json', 'Claude Code', 'dc2dde36-528b-4a41-8b69-896a63c019a4'],
    ['codex-1-prompt.json', 'Codex', '01a21833-edd2-7710-9303-fbd668da5e79'],
    ['codex-3-second-prompt.json', 'Codex', '01a21833-edd2-7710-9303-fbd668da5e79'],
  ])('reads the client and session of the captured request %s', (name, client, session) => {
    const { headers, body } = readAgentRequest(name);
    expect(detectClient(headers, body)).toEqual({ client, clientSessionId: session });
  });

  it('reads the Codex session from the upgrade request of its WebSocket transport', () => {
    const { headers } = readAgentRequest('codex-websocket-upgrade.json');
    expect(detectClient(headers, null)).toEqual({
      client: 'Codex',
      clientSessionId: '01a21834-554e-7ef3-9dff-fdc6d260476b',
    });
  });

  it('prefers the Codex session-id header, then session_id, then the body client_metadata', () => {
    const userAgent = 'codex_exec/0.171.0';
    const body = { client_metadata: { session_id: 'from-body' } };
    const both = { 'user-agent': userAgent, 'session-id': 'hyphen', session_id: 'underscore' };
    expect(detectClient(both, body).clientSessionId).toBe('hyphen');
    expect(detectClient({ 'user-agent': userAgent, session_id: 'underscore' }, body).clientSessionId).toBe(
      'underscore',
    );
    expect(detectClient({ 'user-agent': userAgent }, body).clientSessionId).toBe('from-body');
    expect(detectClient({ 'user-agent': userAgent, 'session-id': ' ' }, {}).clientSessionId).toBeNull();
    expect(detectClient({ 'user-agent': 'Zed/1' }, body).clientSessionId).toBeNull();
  });

  it('records no session for Gemini CLI, which sends no session header', () => {
    expect(detectClient({ 'user-agent': 'GeminiCLI/0.61.0 (linux; x64)', 'session-id': 's' }, null)).toEqual({
      client: 'Gemini CLI',
      clientSessionId: null,
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
