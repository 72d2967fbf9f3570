/**
 * The query API of seed 002 under /api/v2/aibridge: interceptions, sessions, session threads, models and
 * clients, plus the OpenAPI document describing them at /api/v2/openapi.json.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.js';
import { clientsRoute, modelsRoute, registerDistinctValuesRoutes } from './distinct-values.js';
import { interceptionRoute, registerInterceptionRoute } from './interception.js';
import { interceptionsRoute, registerInterceptionsRoute } from './interceptions.js';
import { buildOpenApiDocument } from './openapi.js';
import type { QueryRouteSpec } from './route-spec.js';
import { registerSessionThreadsRoute, sessionThreadsRoute } from './session-threads.js';
import { registerSessionsRoute, sessionsRoute } from './sessions.js';
import { registerUsageRoute, usageRoute } from './usage.js';

/** Every query route, in the seed's order. */
export const queryRoutes: readonly QueryRouteSpec[] = [
  clientsRoute,
  interceptionsRoute,
  interceptionRoute,
  modelsRoute,
  sessionsRoute,
  sessionThreadsRoute,
  usageRoute,
];

/** Registers the query routes and the OpenAPI document (served without a token, like any API description). */
export async function registerAibridgeQueryRoutes(app: FastifyInstance, context: ApiContext): Promise<void> {
  registerInterceptionsRoute(app, context);
  registerInterceptionRoute(app, context);
  registerSessionsRoute(app, context);
  registerSessionThreadsRoute(app, context);
  registerDistinctValuesRoutes(app, context);
  registerUsageRoute(app, context);
  const document = buildOpenApiDocument(queryRoutes);
  app.get('/api/v2/openapi.json', async () => document);
}
