/** `GET /api/v2/aibridge/interceptions`: ended interceptions, newest first, with keyset or offset paging. */
import type { FastifyInstance } from 'fastify';
import { interceptionsGrammar, parseSearchQuery, searchHelpOf } from '../../search/parse-search-query.js';
import type { ServerContext } from '../../server/context.js';
import { interceptionIsVisible } from '../../store/query-interceptions.js';
import { readInterceptionsPage } from '../../store/query-interceptions-page.js';
import { badRequest } from '../http-error.js';
import { requireUser } from '../require-user.js';
import { QueryParameters } from './query-parameters.js';
import { resolveSearch, visibilityOf } from './resolve-search.js';
import { fastifyPath, type QueryRouteSpec } from './route-spec.js';
import { listInterceptionsResponse } from './schemas.js';

export const interceptionsLimits = { default: 100, max: 1000 };

export const interceptionsRoute: QueryRouteSpec = {
  path: '/api/v2/aibridge/interceptions',
  operationId: 'list-ai-bridge-interceptions',
  summary: 'List AI Bridge interceptions',
  description: 'Ended interceptions the caller may see, newest first (started_at, then id, descending).',
  parameters: [
    {
      name: 'q',
      in: 'query',
      type: 'string',
      required: false,
      description: searchHelpOf('interceptions'),
    },
    {
      name: 'limit',
      in: 'query',
      type: 'integer',
      required: false,
      description: `Page limit (default ${interceptionsLimits.default}, 1 to ${interceptionsLimits.max})`,
    },
    {
      name: 'after_id',
      in: 'query',
      type: 'string',
      required: false,
      description: 'Cursor pagination after ID (cannot be used with offset)',
    },
    {
      name: 'offset',
      in: 'query',
      type: 'integer',
      required: false,
      description: 'Offset pagination (cannot be used with after_id)',
    },
  ],
  response: listInterceptionsResponse,
};

/**
 * Registers the interceptions list. Its page comes from the database as JSON text in the shape of
 * `listInterceptionsResponse` and is sent as it is (a string with a JSON content type skips Fastify's
 * serializer), so this route has no response schema of its own; the OpenAPI document still describes it.
 */
export function registerInterceptionsRoute(app: FastifyInstance, context: ServerContext): void {
  app.get(fastifyPath(interceptionsRoute), async (request, reply) => {
    const principal = await requireUser(request, context);
    const visibleTo = visibilityOf(principal);
    const parameters = new QueryParameters(request.query);
    const q = parameters.text('q') ?? '';
    const limit = parameters.limit(interceptionsLimits.default, interceptionsLimits.max);
    const offset = parameters.offset();
    const afterId = parameters.uuid('after_id');
    parameters.forbidTogether('after_id', 'offset');
    const parsed = parseSearchQuery(q, interceptionsGrammar);
    const [resolved, cursorVisible] = await Promise.all([
      resolveSearch({ context, principal, search: parsed.filter }),
      afterId === null ? true : interceptionIsVisible(context.store.db, afterId, visibleTo),
    ]);
    const validations = [...parameters.validations, ...parsed.validations, ...resolved.validations];
    if (!cursorVisible) validations.push({ field: 'after_id', detail: `No interception ${afterId}.` });
    if (validations.length > 0) throw badRequest('Invalid query parameters.', validations);

    const db = context.store.db;
    const page = await readInterceptionsPage(db, {
      filter: resolved.filter,
      visibleTo,
      limit,
      offset,
      afterId,
    });
    reply.type('application/json; charset=utf-8');
    return `{"count":${page.count},"results":${page.resultsJson}}`;
  });
}
