import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../server/context.js';

/** Registers the query routes of the seed under /api/v2/aibridge (filled in by the query-API work). */
export async function registerAibridgeQueryRoutes(_app: FastifyInstance, _context: ServerContext): Promise<void> {}
