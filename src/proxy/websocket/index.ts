/**
 * The Responses WebSocket transport (`GET …/v1/responses` with `Upgrade: websocket`, Codex's default with
 * its built-in OpenAI provider). The upgrade is confined, authenticated and planned like any proxy request
 * and refused over plain HTTP, in the provider's error shape, before anything is upgraded; then the bridge
 * opens the upstream socket with the instance's credential and relays the two (see socket-relay.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { tokenFromHeaders } from '../../auth/authenticate.js';
import { newId } from '../../core/ids.js';
import { providerAdapter } from '../../providers/index.js';
import { confinePath } from '../confine-path.js';
import { stripSecretQuery, upstreamRequestHeaders } from '../forward-headers.js';
import { proxyError, toProxyError } from '../proxy-error.js';
import type { ProxyState } from '../proxy-state.js';
import { resolveCredential } from '../resolve-credential.js';
import { openUpstream, upstreamSocketUrl } from './open-upstream.js';
import { refuseUpgrade } from './refuse-upgrade.js';
import { servesWebSocket } from './responses-socket-protocol.js';
import { SocketRelay } from './socket-relay.js';

/**
 * Serves WebSocket upgrades below `routePrefix`, and drains the open connections on shutdown: requests in
 * flight are answered (and recorded) within the grace period, then every remaining socket is cut.
 */
export function registerWebSocketProxy(input: {
  app: FastifyInstance;
  state: ProxyState;
  routePrefix: string;
}): void {
  const { app, state, routePrefix } = input;
  const { config, logger } = state.context;
  const relays = new Set<SocketRelay>();
  /** What the client's handshake response carries over from the upstream's, per upgrade request. */
  const handshakes = new WeakMap<IncomingMessage, { headers: string[]; protocol: string }>();
  const server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: true,
    maxPayload: config.maxBodySize,
    // The upstream's choice of subprotocol, when the client offered any.
    handleProtocols: (_protocols, request) => handshakes.get(request)?.protocol || false,
  });
  server.on('headers', (lines, request) => lines.push(...(handshakes.get(request)?.headers ?? [])));
  let closing = false;

  // Only WebSocket upgrades of proxy paths reach the `upgrade` event; any other request with an Upgrade
  // header (an `h2c` probe, a WebSocket on another route) is an ordinary request. (Node 24.9+; older
  // versions send every upgrade to the event, where the others are refused.)
  Object.assign(app.server, {
    shouldUpgradeCallback: (request: IncomingMessage) =>
      isWebSocketUpgrade(request) && (request.url ?? '').startsWith(routePrefix),
  });
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    handleUpgrade(request, socket, head).catch((error: unknown) => {
      const proxyError = toProxyError(error);
      if (proxyError.status >= 500)
        logger.error({ err: error, url: request.url }, 'websocket upgrade failed');
      const adapter = state.routes.get(providerName(request.url ?? '', routePrefix))?.adapter;
      refuseUpgrade({ socket, adapter: adapter ?? providerAdapter('openai'), error: proxyError });
    });
  });

  async function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = request.url ?? '';
    if (!isWebSocketUpgrade(request) || !url.startsWith(routePrefix)) {
      throw proxyError(400, 'Only WebSocket upgrades of proxy routes are served.', 'invalid_upgrade');
    }
    const name = providerName(url, routePrefix);
    const route = state.routes.get(name);
    if (route === undefined) throw proxyError(404, `Unknown provider "${name}".`, 'unknown_provider');
    const confined = confinePath(url.slice(routePrefix.length + name.length) || '/');
    const found = tokenFromHeaders(request.headers, { proxy: true });
    const principal = await state.context.authenticator.authenticate(found?.token);
    const plan = route.planner.plan('POST', confined.pathname);
    if (request.method !== 'GET' || plan.kind !== 'intercept' || !servesWebSocket(plan.endpoint)) {
      throw proxyError(
        404,
        `WebSocket upgrades of ${confined.pathname} are not served by the bridge's "${name}" provider.`,
        'not_found',
      );
    }
    const credential = resolveCredential({
      headers: request.headers,
      query: new URLSearchParams(confined.search),
      tokenSource: found?.source ?? { in: 'header', name: 'authorization' },
      adapter: route.adapter,
      centralKey: route.instance.key,
      allowByok: config.allowByok,
    });
    if (closing) throw proxyError(503, 'The bridge is shutting down.', 'bridge_shutting_down');
    const abort = new AbortController();
    const onClientGone = () => abort.abort();
    socket.once('close', onClientGone);
    // Client credentials are stripped (a `?key=` too) and the upstream credential is put on anew.
    const upstream = credential.authorize({
      method: 'GET',
      path: route.adapter.upstreamPath(confined.pathname) + stripSecretQuery(confined.search),
      headers: upstreamRequestHeaders({ headers: request.headers, keepEncoding: true }),
      body: null,
    });
    const opening = await openUpstream({
      url: upstreamSocketUrl(route.instance.baseUrl, upstream.path),
      clientHeaders: request.headers,
      upstreamHeaders: upstream.headers,
      adapter: route.adapter,
      signal: abort.signal,
    });
    socket.off('close', onClientGone);
    // The client may have left before the listener was added (during authentication) or meanwhile.
    if (abort.signal.aborted || socket.destroyed) {
      if (opening.kind === 'open') opening.socket.terminate();
      return;
    }
    const connectionId = newId();
    const relayed = opening.kind === 'open' ? opening.responseHeaders : [];
    handshakes.set(request, {
      headers: [
        ...relayed.map(([header, value]) => `${header}: ${value}`),
        `x-aibridge-connection-id: ${connectionId}`,
      ],
      protocol: opening.kind === 'open' ? opening.socket.protocol : '',
    });
    server.handleUpgrade(request, socket, head, (client) => {
      const relay = new SocketRelay({
        connection: {
          state,
          route,
          endpoint: plan.endpoint,
          principal,
          credential,
          headers: request.headers,
          path: confined.pathname,
          connectionId,
        },
        client,
        upstream: opening.kind === 'open' ? opening.socket : null,
        refusal: opening.kind === 'refused' ? opening.refusal : null,
      });
      relays.add(relay);
      void relay.closed.then(() => relays.delete(relay));
      if (opening.kind === 'refused') {
        logger.warn(
          { connectionId, provider: name, status: opening.refusal.status },
          opening.refusal.message,
        );
      }
      logger.debug(
        { connectionId, userId: principal.user.id, provider: name },
        'websocket connection opened',
      );
    });
  }

  app.addHook('preClose', (done) => {
    closing = true;
    for (const relay of relays) relay.shutDown();
    if (relays.size > 0) {
      // The server's close waits for these sockets: past the grace period, cut them.
      const grace = setTimeout(() => {
        for (const relay of relays) relay.terminate();
      }, config.shutdownGraceMs);
      void Promise.all([...relays].map((relay) => relay.closed)).then(() => clearTimeout(grace));
    }
    done();
  });
}

/** The instance name of a proxy URL: the segment right after the route prefix. */
function providerName(url: string, routePrefix: string): string {
  const rest = url.slice(routePrefix.length);
  const end = rest.search(/[/?]/);
  return end === -1 ? rest : rest.slice(0, end);
}

function isWebSocketUpgrade(request: IncomingMessage): boolean {
  return String(request.headers.upgrade ?? '').toLowerCase() === 'websocket';
}
