import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticate.js';
import type { Config } from '../config/config.js';
import type { Observability } from '../observability/observability.js';
import type { Recorder } from '../recorder/recorder.js';
import type { Store } from '../store/open-store.js';

/**
 * What the proxy is given, built once at start by the server: declared here, at the proxy's own layer,
 * from the services below it, so the proxy depends on nothing above (the server's context satisfies it).
 */
export interface ProxyContext {
  config: Config;
  store: Store;
  logger: Logger;
  authenticator: Authenticator;
  recorder: Recorder;
  /** Metrics and traces; absent in tests that build a context by hand. */
  observability?: Observability;
}
