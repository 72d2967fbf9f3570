/** `GET /api/v2/aibridge/sessions`: sessions by last activity, with keyset or offset paging. */
import type { FastifyInstance } from 'fastify';
import { parseSearchQuery, searchHelpOf, sessionsGrammar } from '../../search/parse-search-query.js';
import type { ServerContext } from '../../server/context.js';
import { findSessionCursor, readSessionsPage } from '../../store/query-sessions.js';
import { badRequest } from '../http-error.js';
import { requireUser } from '../require-user.js';
import { QueryParameters } from './query-parameters.js';
import { resolveSearch, visibilityOf } from './resolve-search.js';
import { fastifyPath, type QueryRouteSpec } from './route-spec.js';
import { listSessionsResponse } from './schemas.js';

/** Coder's defaults for this route: 100 per page, at most 1000. */
export const sessionsLimits = { default: 100, max: 1000 };

export const sessionsRoute: QueryRouteSpec = {
  path: '/api/v2/aibridge/sessions',
  operationId: 'list-ai-bridge-sessions',
  summary: 'List AI Bridge sessions',
  description:
    'Sessions (one per session key and initiator) the caller may see, most recently active first ' +
    '(last_active_at descending, then session id).',
  parameters: [
    {
      name: 'q',
      in: 'query',
      type: 'string',
      required: false,
      description: searchHelpOf('sessions'),
    },
    {
      name: 'limit',
      in: 'query',
      type: 'integer',
      required: false,
      description: `Page limit (default ${sessionsLimits.default}, 1 to ${sessionsLimits.max})`,
    },
    {
      name: 'after_session_id',
      in: 'query',
      type: 'string',
      required: false,
      description: 'Cursor pagination after session ID (cannot be used with offset)',
    },
    {
      name: 'offset',
      in: 'query',
      type: 'integer',
      required: false,
      description: 'Offset pagination (cannot be used with after_session_id)',
    },
  ],
  response: listSessionsResponse,
};

/**
 * Registers the sessions list. Like the interceptions list, its page comes from the database as JSON text
 * in the shape of `listSessionsResponse` and is sent as it is.
 */
export function registerSessionsRoute(app: FastifyInstance, context: ServerContext): void {
  app.get(fastifyPath(sessionsRoute), async (request, reply) => {
    const principal = await requireUser(request, context);
    const visibleTo = visibilityOf(principal);
    const parameters = new QueryParameters(request.query);
    const q = parameters.text('q') ?? '';
    const limit = parameters.limit(sessionsLimits.default, sessionsLimits.max);
    const offset = parameters.offset();
    const afterSessionId = parameters.text('after_session_id') ?? null;
    parameters.forbidTogether('after_session_id', 'offset');
    const parsed = parseSearchQuery(q, sessionsGrammar);
    const resolved = await resolveSearch({ context, principal, search: parsed.filter });
    const db = context.store.db;
    const after =
      afterSessionId === null
        ? null
        : await findSessionCursor(db, {
            sessionKey: afterSessionId,
            visibleTo,
            initiatorId: resolved.filter.initiatorId,
          });
    const validations = [...parameters.validations, ...parsed.validations, ...resolved.validations];
    if (afterSessionId !== null && after === null) {
      validations.push({ field: 'after_session_id', detail: `No session "${afterSessionId}".` });
    }
    if (validations.length > 0) throw badRequest('Invalid query parameters.', validations);

    const page = await readSessionsPage(db, { filter: resolved.filter, visibleTo, limit, offset, after });
    reply.type('application/json; charset=utf-8');
    return `{"count":${page.count},"sessions":${page.sessionsJson}}`;
  });
}
