/** One message across the bridge, with backpressure between the two sockets. */
import WebSocket from 'ws';

/** Bytes queued on a socket beyond which the other side stops being read. */
export const highWaterMark = 1024 * 1024;

/** The part of a `ws` socket the relay uses. */
export type RelaySocket = Pick<
  WebSocket,
  'readyState' | 'bufferedAmount' | 'isPaused' | 'pause' | 'resume' | 'send'
>;

/**
 * Sends a message on, unchanged (a text frame stays text, a binary one binary). When the receiving socket
 * holds `highWaterMark` bytes or more, the sending socket is no longer read until the receiver has written
 * them out: a slow reader on one side slows the other down instead of filling the bridge's memory.
 */
export function relayMessage(from: RelaySocket, to: RelaySocket, data: Buffer, isBinary: boolean): void {
  if (to.readyState !== WebSocket.OPEN) return;
  to.send(data, { binary: isBinary }, () => {
    if (from.isPaused && to.bufferedAmount < highWaterMark) from.resume();
  });
  if (to.bufferedAmount >= highWaterMark) from.pause();
}
