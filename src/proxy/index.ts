import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server/context.js';

/** Registers the provider-compatible proxy routes of SPEC §4 (filled in by the proxy work). */
export async function registerProxyRoutes(_app: FastifyInstance, _context: ServerContext): Promise<void> {}
