import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { registerAibridgeQueryRoutes } from '../api/aibridge/index.js';
import { checkParameters } from '../api/check-parameters.js';
import { registerTokenRoutes } from '../api/tokens.js';
import { registerUserRoutes } from '../api/users.js';
import { HttpError } from '../http-error.js';
import { registerProxyRoutes } from '../proxy/index.js';
import { isConnectionError } from '../store/connection-errors.js';
import { version } from '../version.js';
import type { ServerContext } from './context.js';
import { checkReadiness } from './readiness.js';
import { registerRequestLog } from './request-log.js';
import { registerDashboard } from './serve-dashboard.js';

/** Builds the HTTP application: health, build info, management, query and proxy routes. */
export async function createServer(
  context: ServerContext,
  options: {
    /**
     * Whether start-up is still under way: the socket is open (so a port in use fails early) but the
     * first owner may not exist yet, so every request, health checks included, is answered 503.
     */
    starting?: () => boolean;
  } = {},
): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    // Fastify's own two lines per request are off: request-log.ts writes one, also for hijacked replies.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: context.config.maxBodySize,
    return503OnClosing: true,
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.status).send(error.toBody());
    if (isConnectionError(error)) {
      // The database's own text says nothing useful to a client and may name hosts: give a clear 503.
      request.log.warn({ err: error, url: request.url }, 'database unreachable');
      return reply.status(503).send({
        message: 'The database is unreachable; retry shortly.',
        detail: 'The bridge keeps serving the proxy and records requests meanwhile.',
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ message: clientErrorMessage(error), detail: error.message });
    }
    request.log.error({ err: error, url: request.url }, 'request failed');
    // The cause is logged, never returned: it may be a database's error text naming tables or values.
    return reply.status(500).send({ message: 'An internal error occurred.' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ message: `Route ${request.method} ${request.url.split('?')[0]} not found.` }),
  );

  registerRequestLog(app, context);
  const starting = options.starting;
  if (starting) {
    app.addHook('onRequest', (_request, reply, done) => {
      if (!starting()) return done();
      reply.code(503).header('retry-after', '1').send({ message: 'The bridge is starting; retry shortly.' });
    });
  }
  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('OK'));
  app.get('/readyz', async (_request, reply) => {
    const readiness = await checkReadiness(context.store);
    return reply.status(readiness.ready ? 200 : 503).send({
      status: readiness.ready ? 'ready' : 'unavailable',
      ...(readiness.failing ? { failing: readiness.failing } : {}),
      checks: readiness.checks,
    });
  });
  app.get('/api/v2/buildinfo', async () => ({ version }));
  // The API routes share a scope whose one check refuses text PostgreSQL cannot store.
  await app.register(async (api) => {
    api.addHook('preValidation', checkParameters);
    await registerUserRoutes(api, context);
    await registerTokenRoutes(api, context);
    await registerAibridgeQueryRoutes(api, context);
  });
  await registerProxyRoutes(app, context);
  await registerDashboard(app, context);
  return app;
}

function clientErrorMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Request body is not valid JSON.';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is too large.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type.';
    default:
      return error.message;
  }
}
