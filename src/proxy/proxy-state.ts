import type { ProviderConfig } from '../config/config.js';
import type { ProviderAdapter } from '../providers/index.js';
import type { ServerContext } from '../server/context.js';
import type { RequestPlanner } from './plan-request.js';
import type { ThreadLineage } from './thread-lineage.js';
import type { UpstreamPool } from './upstream-pool.js';

/** A configured provider instance with its wire adapter and connection pool. */
export interface ProxyRoute {
  instance: ProviderConfig;
  adapter: ProviderAdapter;
  pool: UpstreamPool;
  /** Which requests are intercepted, passed through or refused. */
  planner: RequestPlanner;
}

/** What the proxy keeps for the server's lifetime. */
export interface ProxyState {
  context: ServerContext;
  routes: ReadonlyMap<string, ProxyRoute>;
  lineage: ThreadLineage;
}
