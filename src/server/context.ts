import type { ApiContext } from '../api/api-context.js';
import type { ProxyContext } from '../proxy/proxy-context.js';

/**
 * What every route needs, built once at start: the one object the server passes to the proxy and to the
 * API, each of which declares the part it uses at its own layer.
 */
export type ServerContext = ProxyContext & ApiContext;
