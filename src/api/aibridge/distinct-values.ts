/** `GET /api/v2/aibridge/models` and `/clients`: distinct values, sorted, prefix-filtered by `q`. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../http-error.js';
import {
  clientsGrammar,
  modelsGrammar,
  parseSearchQuery,
  type SearchGrammar,
} from '../../search/parse-search-query.js';
import { listDistinctValues } from '../../store/query-distinct-values.js';
import type { ApiContext } from '../api-context.js';
import { requireUser } from '../require-user.js';
import { QueryParameters } from './query-parameters.js';
import { visibilityOf } from './resolve-search.js';
import { fastifyPath, type ParameterSpec, type QueryRouteSpec, responseSchemaOf } from './route-spec.js';
import { stringList } from './schemas.js';

/** Coder's defaults for these routes: 100 per page, at most 1000. */
export const distinctValuesLimits = { default: 100, max: 1000 };

function pagingParameters(noun: string): ParameterSpec[] {
  return [
    {
      name: 'q',
      in: 'query',
      type: 'string',
      required: false,
      description: `Search query: a ${noun} prefix, as a bare word or \`${noun}:prefix\` (case-sensitive).`,
    },
    {
      name: 'limit',
      in: 'query',
      type: 'integer',
      required: false,
      description: `Page limit (default ${distinctValuesLimits.default}, 1 to ${distinctValuesLimits.max})`,
    },
    { name: 'offset', in: 'query', type: 'integer', required: false, description: 'Offset pagination' },
  ];
}

export const modelsRoute: QueryRouteSpec = {
  path: '/api/v2/aibridge/models',
  operationId: 'list-ai-bridge-models',
  summary: 'List AI Bridge models',
  description: 'Distinct models of the interceptions the caller may see, sorted.',
  parameters: pagingParameters('model'),
  response: stringList,
};

export const clientsRoute: QueryRouteSpec = {
  path: '/api/v2/aibridge/clients',
  operationId: 'list-ai-bridge-clients',
  summary: 'List AI Bridge clients',
  description: 'Distinct clients of the interceptions the caller may see, sorted.',
  parameters: pagingParameters('client'),
  response: stringList,
};

/** Registers the models and clients lists. */
export function registerDistinctValuesRoutes(app: FastifyInstance, context: ApiContext): void {
  const register = (spec: QueryRouteSpec, column: 'model' | 'client', grammar: SearchGrammar) => {
    app.get(fastifyPath(spec), responseSchemaOf(spec), async (request) => {
      const principal = await requireUser(request, context);
      const parameters = new QueryParameters(request.query);
      const parsed = parseSearchQuery(parameters.text('q') ?? '', grammar);
      const limit = parameters.limit(distinctValuesLimits.default, distinctValuesLimits.max);
      const offset = parameters.offset();
      const validations = [...parameters.validations, ...parsed.validations];
      if (validations.length > 0) throw badRequest('Invalid query parameters.', validations);
      return listDistinctValues(context.store.db, {
        column,
        visibleTo: visibilityOf(principal),
        prefix: parsed.filter[column] ?? '',
        limit,
        offset,
      });
    });
  };
  register(modelsRoute, 'model', modelsGrammar);
  register(clientsRoute, 'client', clientsGrammar);
}
