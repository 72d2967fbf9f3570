/**
 * One log line per request, written when the response finishes or the connection closes (the proxy
 * hijacks its replies, so Fastify's own response hooks do not see them). The line names the route, never
 * the query string (which may carry a key), and no header or body.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type RequestFacts, runWithRequestFacts } from '../observability/request-facts.js';
import type { ServerContext } from './context.js';

const proxyPrefix = '/api/v2/aibridge/';
const queryRoutes = new Set(['interceptions', 'sessions', 'models', 'clients', 'openapi.json']);

/**
 * Registers the hook that carries each request's facts and logs its line at the end. When nothing reads
 * the facts (log level above `info`, no metrics, no traces) no hook is registered: the two context
 * switches, the close listener and the deferred line cost about 5 % of a proxied request's CPU at c=32
 * (BENCHMARKS.md, "Batches taken at most every 20 ms").
 */
export function registerRequestLog(app: FastifyInstance, context: ServerContext): void {
  if (!readsRequestFacts(context)) return;
  app.addHook('onRequest', (request, reply, done) => {
    const facts: RequestFacts = { startedAt: performance.now() };
    const logger = context.logger;
    const path = (request.raw.url ?? '/').split('?')[0] ?? '/';
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { method: request.method, path, userAgent: request.headers['user-agent'] },
        'request received',
      );
    }
    // The proxy queues an interception's records right after its response ends, in the microtasks that
    // follow; one turn of the event loop later the line can name the interception.
    reply.raw.once('close', () => {
      const ended = {
        durationMs: Math.round((performance.now() - facts.startedAt) * 10) / 10,
        status: reply.raw.statusCode,
        aborted: !reply.raw.writableFinished,
      };
      setImmediate(() => logRequest({ context, request, path, facts, ...ended }));
    });
    factsByRequest.set(request, facts);
    runWithRequestFacts(facts, () => done());
  });
  // Body parsing resumes on the socket's events, outside the context set above: enter it again right
  // before the handler runs.
  app.addHook('preHandler', (request, _reply, done) => {
    const facts = factsByRequest.get(request);
    if (facts) runWithRequestFacts(facts, () => done());
    else done();
  });
}

/** Whether a request's facts are read by anything: its log line, the metrics, the traces. */
export function readsRequestFacts(context: Pick<ServerContext, 'logger' | 'observability'>): boolean {
  const { observability } = context;
  return (
    context.logger.isLevelEnabled('info') ||
    observability?.metrics !== undefined ||
    observability?.tracing !== undefined
  );
}

const factsByRequest = new WeakMap<object, RequestFacts>();
const probeRoutes = new Set(['/healthz', '/readyz']);

/** Writes the request's line (and the upstream call's debug line) and counts it in the metrics. */
function logRequest(input: {
  context: ServerContext;
  request: FastifyRequest;
  path: string;
  facts: RequestFacts;
  durationMs: number;
  status: number;
  aborted: boolean;
}): void {
  const { context, request, path, facts, durationMs, status } = input;
  const logger = context.logger;
  const interceptionId = facts.interceptionId;
  const pattern = request.routeOptions.url ?? 'unmatched';
  const route = logRouteOf(context, pattern, path);
  // Probes answer every few seconds from every load balancer: their lines are debug while they succeed.
  const level = probeRoutes.has(pattern) && status < 400 ? 'debug' : 'info';
  logger[level](
    {
      method: request.method,
      route,
      status,
      durationMs,
      ...(facts.userId ? { userId: facts.userId } : {}),
      ...(interceptionId ? { interceptionId } : {}),
      ...(input.aborted ? { aborted: true } : {}),
    },
    'request',
  );
  const upstream = facts.upstream;
  if (upstream && logger.isLevelEnabled('debug')) {
    const since = (at: number | undefined) =>
      at === undefined ? undefined : Math.round((at - upstream.startedAt) * 10) / 10;
    logger.debug(
      {
        route,
        upstreamStatus: upstream.status,
        headersMs: since(upstream.headersAt),
        firstByteMs: since(upstream.firstByteAt),
        totalMs: since(upstream.endedAt),
        ...(upstream.error ? { upstreamError: upstream.error } : {}),
      },
      'upstream call',
    );
  }
  context.observability?.requestEnded({
    method: request.method,
    route: pattern,
    status,
    durationSeconds: durationMs / 1000,
    ...(upstream && !interceptionId ? { passThroughProvider: providerOf(path) } : {}),
  });
}

/**
 * The route of the log line: the registered pattern, or for a configured proxy instance its path (an
 * endpoint of the provider's API such as `/api/v2/aibridge/openai/v1/chat/completions`). Metrics use
 * the pattern only, so a scan of odd paths cannot grow their label sets.
 */
function logRouteOf(context: ServerContext, pattern: string, path: string): string {
  if (!path.startsWith(proxyPrefix)) return pattern;
  const name = providerOf(path);
  if (queryRoutes.has(name) || !context.config.providers.some((provider) => provider.name === name)) {
    return pattern;
  }
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

function providerOf(path: string): string {
  return path.slice(proxyPrefix.length).split('/')[0] ?? '';
}
