/** Refuses an upgrade with a plain HTTP response in the provider's error shape, before anything is upgraded. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpError } from '../../http-error.js';
import type { ProviderAdapter } from '../../providers/index.js';
import { errorInfo } from '../proxy-error.js';

/** Writes the error response and ends the connection. */
export function refuseUpgrade(input: { socket: Duplex; adapter: ProviderAdapter; error: HttpError }): void {
  const { socket, error } = input;
  if (socket.destroyed || !socket.writable) return;
  const body = input.adapter.errorBody(errorInfo(error));
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
