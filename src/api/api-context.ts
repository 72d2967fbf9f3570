import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticate.js';
import type { Config } from '../config/config.js';
import type { Store } from '../store/open-store.js';

/**
 * What the API routes are given, built once at start by the server: declared here, at the API's own
 * layer, from the services below it, so the routes depend on nothing above (the server's context
 * satisfies it).
 */
export interface ApiContext {
  config: Config;
  store: Store;
  logger: Logger;
  authenticator: Authenticator;
}
