/** `GET /api/v2/aibridge/sessions/{session_id}`: one session with a page of its threads, oldest first. */
import type { FastifyInstance } from 'fastify';
import { isUuid } from '../../core/ids.js';
import type { ServerContext } from '../../server/context.js';
import { findSession } from '../../store/query-sessions.js';
import { listSessionThreads } from '../../store/query-threads.js';
import { badRequest, notFound } from '../http-error.js';
import { requireUser } from '../require-user.js';
import { QueryParameters } from './query-parameters.js';
import { visibilityOf } from './resolve-search.js';
import { fastifyPath, type QueryRouteSpec, responseSchemaOf } from './route-spec.js';
import { sessionThreadsResponse } from './schemas.js';
import { sessionThreadsJson } from './to-wire.js';

export const threadsLimits = { default: 50, max: 200 };

export const sessionThreadsRoute: QueryRouteSpec = {
  path: '/api/v2/aibridge/sessions/{session_id}',
  operationId: 'get-ai-bridge-session-threads',
  summary: 'Get AI Bridge session threads',
  description:
    'One session and a page of its threads, oldest first. A thread is a prompt and the agentic loop that ' +
    'follows it; token usage sums cover every interception of a thread, the summary the whole session.',
  parameters: [
    {
      name: 'session_id',
      in: 'path',
      type: 'string',
      required: true,
      description: 'Session ID (client_session_id or interception UUID)',
    },
    {
      name: 'after_id',
      in: 'query',
      type: 'string',
      required: false,
      description:
        'Thread pagination cursor: the threads that started after this thread (cannot be used with before_id)',
    },
    {
      name: 'before_id',
      in: 'query',
      type: 'string',
      required: false,
      description:
        'Thread pagination cursor: the threads that started before this thread (cannot be used with after_id)',
    },
    {
      name: 'limit',
      in: 'query',
      type: 'integer',
      required: false,
      description: `Number of threads per page (default ${threadsLimits.default}, 1 to ${threadsLimits.max})`,
    },
  ],
  response: sessionThreadsResponse,
};

/** Registers the session threads route. */
export function registerSessionThreadsRoute(app: FastifyInstance, context: ServerContext): void {
  app.get<{ Params: { session_id: string } }>(
    fastifyPath(sessionThreadsRoute),
    responseSchemaOf(sessionThreadsRoute),
    async (request) => {
      const principal = await requireUser(request, context);
      const visibleTo = visibilityOf(principal);
      const parameters = new QueryParameters(request.query);
      const limit = parameters.limit(threadsLimits.default, threadsLimits.max);
      const afterId = parameters.uuid('after_id');
      const beforeId = parameters.uuid('before_id');
      parameters.forbidTogether('after_id', 'before_id');
      if (parameters.validations.length > 0)
        throw badRequest('Invalid query parameters.', parameters.validations);

      const sessionId = request.params.session_id;
      const db = context.store.db;
      const session = await findSession(db, { sessionId, visibleTo, sessionIdIsUuid: isUuid(sessionId) });
      if (!session) throw notFound('Session not found.');
      const page = await listSessionThreads(db, {
        session: session.key,
        limit,
        afterId,
        beforeId,
      });
      if ('unknownCursor' in page) {
        throw badRequest('Invalid query parameters.', [
          { field: page.unknownCursor, detail: 'No thread of this session has this interception.' },
        ]);
      }
      return sessionThreadsJson({ session, threads: page.threads });
    },
  );
}
