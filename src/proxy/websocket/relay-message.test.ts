import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { highWaterMark, relayMessage } from './relay-message.js';

/** Two real socket pairs on loopback: messages relayed from `source` to `target` reach `reader`. */
describe('relayMessage', () => {
  let server: WebSocketServer;
  const accepted: WebSocket[] = [];
  const clients: WebSocket[] = [];
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket) => accepted.push(socket));
    await once(server, 'listening');
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let index = 0; index < 2; index += 1) {
      const client = new WebSocket(url);
      await once(client, 'open');
      clients.push(client);
    }
    while (accepted.length < 2) await once(server, 'connection');
  });
  afterAll(async () => {
    for (const client of clients) client.terminate();
    server.close();
  });

  it('stops reading the sending side while the receiving side holds a full buffer, and resumes once it drained', async () => {
    const [source, target] = accepted as [WebSocket, WebSocket];
    const reader = clients[1] as WebSocket;
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const count = 24;
    let received = 0;
    const all = new Promise<void>((resolve) => {
      reader.on('message', (data: Buffer, isBinary) => {
        expect(isBinary).toBe(false);
        expect(data.equals(chunk)).toBe(true);
        received += 1;
        if (received === count) resolve();
      });
    });
    for (let index = 0; index < count; index += 1) relayMessage(source, target, chunk, false);
    expect(target.bufferedAmount).toBeGreaterThanOrEqual(highWaterMark);
    expect(source.isPaused).toBe(true);
    await all;
    expect(target.bufferedAmount).toBe(0);
    expect(source.isPaused).toBe(false);
  });

  it('leaves the sending side alone while the receiving side keeps up', () => {
    const [source, target] = accepted as [WebSocket, WebSocket];
    relayMessage(source, target, Buffer.from('{"type":"response.created"}'), false);
    expect(source.isPaused).toBe(false);
  });
});
