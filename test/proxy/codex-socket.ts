/** A `ws` client shaped exactly like Codex 0.171's Responses WebSocket connection, from its captured traffic. */
import type { IncomingMessage } from 'node:http';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { readFixture } from '../fake-provider/fixtures.js';

export interface CapturedUpgrade {
  headers: Record<string, string>;
}
interface CapturedMessage {
  message: Record<string, unknown>;
}

export const upgrade = JSON.parse(
  readFixture('agents/codex-websocket-upgrade.json').toString(),
) as CapturedUpgrade;
export const captured = (name: string) =>
  (JSON.parse(readFixture(`agents/${name}`).toString()) as CapturedMessage).message;
export const codexSession = upgrade.headers['session-id'] ?? '';

/** A client socket that keeps every message and can wait for the end of one response. */
export class CodexSocket {
  readonly received: string[] = [];
  readonly sent: string[] = [];
  readonly #waiters: (() => void)[] = [];

  private constructor(
    readonly socket: WebSocket,
    readonly upgradeHeaders: IncomingMessage['headers'],
  ) {
    socket.on('message', (data: Buffer, isBinary) => {
      expect(isBinary).toBe(false);
      this.received.push(data.toString('utf8'));
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Opens a socket with Codex's upgrade headers (its own credential replaced by `token`), plus `extraHeaders`. */
  static open(url: string, token: string, extraHeaders: Record<string, string> = {}): Promise<CodexSocket> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(upgrade.headers)) {
      if (name !== 'upgrade' && !name.startsWith('sec-websocket-')) headers[name] = value;
    }
    headers.authorization = `Bearer ${token}`;
    Object.assign(headers, extraHeaders);
    const socket = new WebSocket(url, { headers, perMessageDeflate: true });
    return new Promise((resolve, reject) => {
      let responseHeaders: IncomingMessage['headers'] = {};
      socket.once('upgrade', (response) => {
        responseHeaders = response.headers;
      });
      socket.once('open', () => resolve(new CodexSocket(socket, responseHeaders)));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused with ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  /** Sends one request and returns the messages answering it, up to `response.completed` or an error. */
  request(message: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const from = this.received.length;
    this.send(message);
    return this.waitFor(
      (events) => events.some((event) => event.type === 'response.completed' || event.type === 'error'),
      from,
    );
  }

  send(message: Record<string, unknown>): void {
    const text = JSON.stringify(message);
    this.sent.push(text);
    this.socket.send(text);
  }

  /** Waits until the messages received since `from` satisfy `done`, and returns them. */
  async waitFor(
    done: (events: Record<string, unknown>[]) => boolean,
    from: number,
  ): Promise<Record<string, unknown>[]> {
    while (!done(this.since(from))) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.since(from);
  }

  since(from: number): Record<string, unknown>[] {
    return this.received.slice(from).map((text) => JSON.parse(text) as Record<string, unknown>);
  }
}

export const completedResponse = (events: Record<string, unknown>[]) =>
  events.find((event) => event.type === 'response.completed')?.response as { id: string } | undefined;
