import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticate.js';
import type { Config } from '../config/config.js';
import type { Observability } from '../observability/observability.js';
import type { Recorder } from '../recorder/recorder.js';
import type { Store } from '../store/open-store.js';

/** What every route needs, built once at start and passed to each route module. */
export interface ServerContext {
  config: Config;
  store: Store;
  logger: Logger;
  authenticator: Authenticator;
  recorder: Recorder;
  /** Metrics and traces; absent in tests that build a context by hand. */
  observability?: Observability;
}
