/**
 * The Responses WebSocket transport at shutdown: a response in flight is answered and recorded within the
 * grace period, and one still running past it is recorded as failed when its connection is cut.
 */
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.js';
import { CodexSocket, captured } from './codex-socket.js';
import { readInterception, startProxyHarness } from './harness.js';

describeEachDatabase('the Responses WebSocket transport at shutdown', (getStore) => {
  it('lets a response in flight finish within the grace period, records it, then closes the connection', async () => {
    const harness = await startProxyHarness(getStore());
    try {
      harness.fake.scriptSocket({
        kind: 'fixture',
        fixture: 'openai-responses/stream-codex-exec-command.sse',
        delayMs: 30,
      });
      const codex = await CodexSocket.open(
        `${harness.providerUrl('openai').replace(/^http/, 'ws')}/v1/responses`,
        harness.member.token,
      );
      const connectionId = String(codex.upgradeHeaders['x-aibridge-connection-id']);
      const closed = new Promise<number>((resolve) => codex.socket.once('close', (code) => resolve(code)));
      const events = codex.request(captured('codex-websocket-2-prompt.json'));
      await codex.waitFor((received) => received.length > 0, 0);
      const shutdown = harness.server.close();
      expect((await events).at(-1)?.type).toBe('response.completed');
      expect(await closed).toBe(1001);
      await shutdown;
      const rows = await getStore()
        .db.selectFrom('aibridge_interceptions')
        .select(['id', 'error', 'metadata'])
        .execute();
      const row = rows.find((candidate) => candidate.metadata.websocket_connection_id === connectionId);
      expect(row).toMatchObject({ error: null });
      const stored = await readInterception(getStore(), row?.id ?? '');
      expect(stored.tokenUsages).toMatchObject([{ input_tokens: 2120, output_tokens: 24 }]);
    } finally {
      await harness.close().catch(() => {});
    }
  });

  it('records a response still in flight at the end of the grace period as failed, and cuts the connection', async () => {
    const harness = await startProxyHarness(getStore(), { shutdownGraceMs: 100 });
    try {
      harness.fake.scriptSocket({
        kind: 'stall',
        fixture: 'openai-responses/stream-codex-exec-command.sse',
        afterEvents: 2,
      });
      const codex = await CodexSocket.open(
        `${harness.providerUrl('openai').replace(/^http/, 'ws')}/v1/responses`,
        harness.member.token,
      );
      const connectionId = String(codex.upgradeHeaders['x-aibridge-connection-id']);
      const closed = new Promise<number>((resolve) => codex.socket.once('close', (code) => resolve(code)));
      codex.send(captured('codex-websocket-2-prompt.json'));
      await codex.waitFor((received) => received.length === 2, 0);
      await harness.server.close();
      expect(await closed).toBe(1006);
      const rows = await getStore()
        .db.selectFrom('aibridge_interceptions')
        .select(['error', 'metadata', 'ended_at'])
        .execute();
      const row = rows.find((candidate) => candidate.metadata.websocket_connection_id === connectionId);
      expect(row?.error).toBe('the bridge shut down before the response was complete');
      expect(row?.ended_at).not.toBeNull();
    } finally {
      await harness.close().catch(() => {});
    }
  });
});
