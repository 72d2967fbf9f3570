/**
 * Child-process entry: the smallest Fastify + undici relay (no auth, no parsing, no recording), measured
 * beside the bridge as the floor of what one more Node hop costs on the machine. Prints its URL.
 */
import Fastify from 'fastify';
import { Pool } from 'undici';

const upstreamUrl = new URL(process.argv[2] ?? '');
const upstream = new Pool(upstreamUrl.origin);
const app = Fastify();
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/v1/chat/completions', async (request, reply) => {
  reply.hijack();
  const response = await upstream.request({
    method: 'POST',
    path: `${upstreamUrl.pathname}/chat/completions`,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-direct' },
    body: request.body as Buffer,
  });
  reply.raw.writeHead(response.statusCode, { 'content-type': String(response.headers['content-type']) });
  for await (const chunk of response.body) reply.raw.write(chunk);
  reply.raw.end();
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});
