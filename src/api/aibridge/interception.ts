/** `GET /api/v2/aibridge/interceptions/{interception_id}`: one ended interception, as in the list. */
import type { FastifyInstance } from 'fastify';
import { isUuid } from '../../core/ids.js';
import { badRequest, notFound } from '../../http-error.js';
import { listInterceptionsJson } from '../../store/query-interceptions.js';
import type { ApiContext } from '../api-context.js';
import { requireUser } from '../require-user.js';
import { visibilityOf } from './resolve-search.js';
import { fastifyPath, type QueryRouteSpec } from './route-spec.js';
import { interception } from './schemas.js';

export const interceptionRoute: QueryRouteSpec = {
  path: '/api/v2/aibridge/interceptions/{interception_id}',
  operationId: 'get-ai-bridge-interception',
  summary: 'Get an AI Bridge interception',
  description: 'One ended interception the caller may see, in the shape of the list’s results.',
  parameters: [
    {
      name: 'interception_id',
      in: 'path',
      type: 'string',
      required: true,
      description: 'Interception UUID',
    },
  ],
  response: interception,
};

/** Registers the interception detail; like the list, the database writes its JSON. */
export function registerInterceptionRoute(app: FastifyInstance, context: ApiContext): void {
  app.get<{ Params: { interception_id: string } }>(fastifyPath(interceptionRoute), async (request, reply) => {
    const principal = await requireUser(request, context);
    const id = request.params.interception_id;
    if (!isUuid(id)) {
      throw badRequest('Invalid interception id.', [{ field: 'interception_id', detail: 'must be a UUID' }]);
    }
    const results = await listInterceptionsJson(context.store.db, {
      filter: {},
      visibleTo: visibilityOf(principal),
      limit: 1,
      offset: 0,
      afterId: null,
      id: id.toLowerCase(),
    });
    if (results === '[]') throw notFound(`No interception ${id}.`);
    reply.type('application/json; charset=utf-8');
    return results.slice(1, -1);
  });
}
