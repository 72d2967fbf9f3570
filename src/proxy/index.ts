/**
 * The proxy: provider-compatible routes under `/api/v2/aibridge/{name}/…` for every configured instance.
 * A path is first confined below the instance root, then intercepted (generation endpoints), passed
 * through (the provider type's allow-list plus the instance's own) or answered 404. Every error on these
 * routes is answered in the provider's own error shape. WebSocket upgrades (the Responses WebSocket
 * transport) go through the same confinement, authentication and planning in `websocket/`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tokenFromHeaders } from '../auth/authenticate.js';
import { proxyMethods } from '../config/config.js';
import { adapterForPath } from '../providers/adapter-for-path.js';
import { providerAdapter } from '../providers/index.js';
import { redactUrl } from '../providers/redact.js';
import { confinePath } from './confine-path.js';
import { stripSecretQuery } from './forward-headers.js';
import { intercept } from './intercept.js';
import { passThrough } from './pass-through.js';
import { RequestPlanner } from './plan-request.js';
import type { ProxyContext } from './proxy-context.js';
import { errorInfo, proxyError, toProxyError } from './proxy-error.js';
import type { ProxyRoute, ProxyState } from './proxy-state.js';
import { declaredLength, readWholeBody, StreamedBody } from './request-body.js';
import { resolveCredential } from './resolve-credential.js';
import { ThreadLineage } from './thread-lineage.js';
import { UpstreamPool } from './upstream-pool.js';
import { registerWebSocketProxy } from './websocket/index.js';

const routePrefix = '/api/v2/aibridge/';

/** Registers the proxy routes, in a scope of their own (raw body parsing, provider-shaped errors). */
export async function registerProxyRoutes(app: FastifyInstance, context: ProxyContext): Promise<void> {
  const routes = new Map<string, ProxyRoute>(
    context.config.providers.map((instance) => {
      const adapter = providerAdapter(instance.type);
      const planner = new RequestPlanner({ adapter, instance });
      return [instance.name, { instance, adapter, pool: new UpstreamPool(instance.baseUrl), planner }];
    }),
  );
  const state: ProxyState = {
    context,
    routes,
    lineage: new ThreadLineage({ db: context.store.db, logger: context.logger }),
  };

  registerWebSocketProxy({ app, state, routePrefix });
  await app.register(async (scope) => {
    // Bodies stay bytes: they are forwarded as received, and parsed only to read what is recorded. The
    // body of an endpoint that never edits it is left unread here: the intercept forwards it upstream as
    // it arrives (see request-body.ts). Every other body is read whole.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (request, payload, done) => {
      const limit = context.config.maxBodySize;
      const length = declaredLength(request.headers['content-length']);
      if (length !== null && length > limit) {
        done(proxyError(413, 'Request body is too large.', 'request_too_large'), undefined);
        return;
      }
      if (streamsBody(state, request)) {
        done(null, new StreamedBody(payload, length));
        return;
      }
      readWholeBody(payload, limit, length).then(
        (body) => done(null, body),
        (error: Error) => done(error, undefined),
      );
    });
    scope.setErrorHandler((error, request, reply) => sendError(state, error, request, reply));
    scope.route({
      method: [...proxyMethods],
      url: `${routePrefix}:provider/*`,
      handler: (request, reply) => handle(state, request, reply),
    });
    // Runs after the server stopped accepting and its connections ended: the last interceptions queue
    // their records before the server drains the recorder.
    scope.addHook('onClose', async () => {
      await context.recorder.drain();
      await Promise.all([...routes.values()].map((route) => route.pool.close()));
    });
  });
}

/**
 * Whether a request's body goes upstream as it arrives: an intercepted endpoint that never edits bodies.
 * A path that fails confinement, or any other plan, is read whole (and answered by the handler).
 */
function streamsBody(state: ProxyState, request: FastifyRequest): boolean {
  const { name, path } = splitUrl(request);
  const route = state.routes.get(name);
  if (route === undefined) return false;
  let pathname: string;
  try {
    pathname = confinePath(path).pathname;
  } catch {
    return false;
  }
  const plan = route.planner.plan(request.method, pathname);
  return plan.kind === 'intercept' && !plan.endpoint.editsRequestBody;
}

/** The instance name and the path below its root (with the query string) of a proxy request. */
function splitUrl(request: FastifyRequest): { name: string; path: string; pathname: string } {
  const url = request.raw.url ?? request.url;
  const rest = url.slice(routePrefix.length);
  const slash = rest.indexOf('/');
  const name = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '/' : rest.slice(slash);
  const query = path.indexOf('?');
  return { name, path, pathname: query === -1 ? path : path.slice(0, query) };
}

async function handle(state: ProxyState, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { name, path } = splitUrl(request);
  const route = state.routes.get(name);
  if (route === undefined) throw proxyError(404, `Unknown provider "${name}".`, 'unknown_provider');
  const confined = confinePath(path);
  const query = new URLSearchParams(confined.search);
  const found = tokenFromHeaders(request.headers, { proxy: true, query });
  const principal = await state.context.authenticator.authenticate(found?.token);
  const tokenSource = found?.source ?? { in: 'header', name: 'authorization' };
  const plan = route.planner.plan(request.method, confined.pathname);
  // A key in the query string (Gemini's `?key=`) never goes upstream: the credential is set anew.
  const target = confined.pathname + stripSecretQuery(confined.search);
  if (plan.kind === 'intercept') {
    await intercept({
      state,
      route,
      endpoint: plan.endpoint,
      pathname: confined.pathname,
      path: target,
      query,
      principal,
      tokenSource,
      request,
      reply,
    });
    return;
  }
  if (plan.kind === 'not-found') {
    throw proxyError(
      404,
      `${request.method} ${confined.pathname} is not available through the bridge's "${name}" provider.`,
      'not_found',
    );
  }
  const credential = resolveCredential({
    headers: request.headers,
    query,
    tokenSource,
    adapter: route.adapter,
    centralKey: route.instance.key,
    allowByok: state.context.config.allowByok,
  });
  state.context.logger.info(
    { userId: principal.user.id, provider: name, method: request.method, path: confined.pathname },
    'pass-through request',
  );
  await passThrough({ route, path: target, credential, request, reply });
}

function sendError(state: ProxyState, error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const proxyError = toProxyError(error);
  const { name, pathname } = splitUrl(request);
  const adapter = state.routes.get(name)?.adapter ?? adapterForPath(pathname);
  if (proxyError.status >= 500)
    state.context.logger.error({ err: error, url: redactUrl(request.url) }, 'proxy request failed');
  if (reply.sent || reply.raw.headersSent) {
    reply.raw.destroy();
    return;
  }
  reply
    .code(proxyError.status)
    .type('application/json')
    .send(adapter.errorBody(errorInfo(proxyError)));
}
