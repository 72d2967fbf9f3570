/** The server's resolved configuration: flags, environment, config file and defaults merged, in that precedence. */

/**
 * What the configuration knows of a provider type: its name and its default instance's base URL. The
 * list comes from the provider registry (`src/providers/index.ts`), which sits above this layer.
 */
export interface ProviderTypeInfo {
  type: string;
  defaultBaseUrl: string;
}

/** One configured provider instance, reachable at `/api/v2/aibridge/{name}/…`. */
export interface ProviderConfig {
  name: string;
  /** A registered provider type (`openai`, `anthropic`, …). */
  type: string;
  /** Base URL without a trailing slash, e.g. `https://api.openai.com/v1` or `https://api.anthropic.com`. */
  baseUrl: string;
  /** The centrally held key; empty when none is configured (then only BYOK requests can succeed). */
  key: string;
  /** Paths passed through besides the provider type's own allow-list (`pass_through` in the config file). */
  passThrough?: readonly PassThroughRule[];
}

/** HTTP methods a proxy route accepts. */
export const proxyMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ProxyMethod = (typeof proxyMethods)[number];

/**
 * A request forwarded upstream unrecorded: a method and a path below the instance root whose `{name}`
 * segments match any one segment, e.g. `GET /v1/models/{model}`.
 */
export interface PassThroughRule {
  method: ProxyMethod;
  path: string;
}

export interface Config {
  /** Host and port to listen on. */
  listen: { host: string; port: number };
  dataDir: string;
  /** A PostgreSQL URL; undefined means the embedded database under `dataDir`. */
  databaseUrl: string | undefined;
  accessUrl: string;
  providers: ProviderConfig[];
  adminTokenFile: string;
  /** Records older than this many milliseconds are purged; 0 keeps them forever. */
  retentionMs: number;
  allowByok: boolean;
  /** Largest request body accepted, in bytes. */
  maxBodySize: number;
  /** How long shutdown waits for in-flight requests, in milliseconds. */
  shutdownGraceMs: number;
  /** Most finished interceptions held in memory, waiting for the database, before the proxy answers 503. */
  recorderQueueSize: number;
  logLevel: string;
  /** `auto`: compact lines when stdout is a terminal, JSON otherwise. */
  logFormat: LogFormat;
  /** Where Prometheus metrics are served; undefined: not served. */
  metricsListen: { host: string; port: number } | undefined;
  /** OTLP/HTTP endpoint traces are exported to; undefined: tracing is off. */
  otelEndpoint: string | undefined;
  /**
   * Proxy processes serving the port; unset: one per core (at most 8) on PostgreSQL, one on the embedded
   * database (see src/server/workers.ts).
   */
  workers?: number;
}

/** How log lines are written. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Provider names: lowercase words joined by single dashes. */
export const providerNamePattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The query API's own names under `/api/v2/aibridge/`: a provider instance of one of these names would
 * be shadowed by the query route, so no instance may take it (a test checks this list against the routes).
 */
export const queryRouteNames: readonly string[] = ['clients', 'interceptions', 'models', 'sessions', 'usage'];
