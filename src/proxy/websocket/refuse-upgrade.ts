/** Refuses an upgrade with a plain HTTP response in the provider's error shape, before anything is upgraded. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ProviderAdapter } from '../../providers/index.js';
import type { ProxyError } from '../proxy-error.js';

/** Writes the error response and ends the connection. */
export function refuseUpgrade(input: { socket: Duplex; adapter: ProviderAdapter; error: ProxyError }): void {
  const { socket, error } = input;
  if (socket.destroyed || !socket.writable) return;
  const body = input.adapter.errorBody(error.toInfo());
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
