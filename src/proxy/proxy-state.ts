import type { ProviderConfig } from '../config/config.js';
import type { ProviderAdapter } from '../providers/index.js';
import type { ServerContext } from '../server/context.js';
import type { ThreadLineage } from './thread-lineage.js';
import type { UpstreamPool } from './upstream-pool.js';

/** A configured provider instance with its wire adapter and connection pool. */
export interface ProxyRoute {
  instance: ProviderConfig;
  adapter: ProviderAdapter;
  pool: UpstreamPool;
}

/** What the proxy keeps for the server's lifetime. */
export interface ProxyState {
  context: ServerContext;
  routes: ReadonlyMap<string, ProxyRoute>;
  lineage: ThreadLineage;
}
