/**
 * A TCP link of bounded bandwidth in one direction: what the bridge's upstream is in production (the
 * provider is across the internet), which loopback is not. Bytes towards the provider are let through at
 * `bytesPerMs` (a token bucket, so small writes such as request heads are not delayed by whole intervals);
 * the answers come back unthrottled.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** Passes bytes on at no more than `bytesPerMs`, in pieces of at most `pieceBytes`. */
function pacer(bytesPerMs: number, pieceBytes: number): Transform {
  let nextFree = performance.now();
  return new Transform({
    async transform(chunk: Buffer, _encoding, done) {
      for (let start = 0; start < chunk.length; start += pieceBytes) {
        const piece = chunk.subarray(start, start + pieceBytes);
        const wait = nextFree - performance.now();
        if (wait > 0) await sleep(wait);
        nextFree = Math.max(performance.now(), nextFree) + piece.length / bytesPerMs;
        this.push(piece);
      }
      done();
    },
  });
}

/** A running link: its URL stands in for the target's. */
export interface PacedLink {
  url: string;
  close(): Promise<void>;
}

/** Starts a link on a free loopback port in front of `targetUrl` (an `http://host:port` origin). */
export async function startPacedLink(
  targetUrl: string,
  pace: { pieceBytes: number; intervalMs: number },
): Promise<PacedLink> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    // Paced pieces would otherwise meet Nagle's algorithm and the peer's delayed ACK (40 ms stalls).
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(pacer(pace.pieceBytes / pace.intervalMs, pace.pieceBytes)).pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the link has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
