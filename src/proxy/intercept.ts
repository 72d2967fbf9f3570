/**
 * The interception pipeline of one request: read the body → detect client, session and thread → forward
 * upstream → relay the response while parsing it → queue the records of the whole interception at once.
 * Nothing here waits on the database: the records go to the recorder's queue.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, TokenSource } from '../auth/authenticate.js';
import { newId } from '../core/ids.js';
import type { InterceptionStart } from '../core/records.js';
import { parseJson } from '../providers/events/parse-json.js';
import type { EndpointAdapter, ResponseParser } from '../providers/index.js';
import { asObject } from '../providers/json/read-json.js';
import { buildRecords, type InterceptionOutcome } from './build-records.js';
import { describeError } from './describe-error.js';
import { detectClient } from './detect-client.js';
import { upstreamRequestHeaders } from './forward-headers.js';
import { providerRequestId } from './provider-request-id.js';
import { proxyError } from './proxy-error.js';
import type { ProxyRoute, ProxyState } from './proxy-state.js';
import { relayResponse } from './relay-response.js';
import { resolveCredential, type UpstreamCredential } from './resolve-credential.js';
import { writeProxyError } from './write-proxy-error.js';

/** Everything known about an intercepted request once it is authenticated. */
export interface InterceptInput {
  state: ProxyState;
  route: ProxyRoute;
  endpoint: EndpointAdapter;
  /** Path below the instance root, without the query string. */
  pathname: string;
  /** `pathname` with the query string, credentials stripped: what goes upstream. */
  path: string;
  /** The query parameters as received (a key may travel in one). */
  query: URLSearchParams;
  principal: Principal;
  tokenSource: TokenSource;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** Handles one intercepted request from its parsed body to its queued records. */
export async function intercept(input: InterceptInput): Promise<void> {
  const { state, route, request } = input;
  const bodyBytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  // JSON is UTF-8: decoding other bytes would forward and record replacement characters instead.
  if (!isUtf8(bodyBytes)) {
    throw proxyError(400, 'Request body must be valid UTF-8 JSON.', 'invalid_request_body');
  }
  const text = bodyBytes.toString('utf8');
  const parsed = parseJson(text);
  const body = parsed.ok ? asObject(parsed.value) : null;
  if (body === null) {
    const reason = parsed.ok ? 'it is not a JSON object' : parsed.error;
    throw proxyError(400, `Request body must be a JSON object: ${reason}.`, 'invalid_request_body');
  }
  const credential = resolveCredential({
    headers: request.headers,
    query: input.query,
    tokenSource: input.tokenSource,
    adapter: route.adapter,
    centralKey: route.instance.key,
    allowByok: state.context.config.allowByok,
  });
  const inspection = input.endpoint.inspect({ path: input.pathname, body, text });
  const userId = input.principal.user.id;
  const lineage = state.lineage.resolve(inspection.latestToolResultId, userId);
  const id = newId();
  const startedAt = new Date();
  const { client, clientSessionId } = detectClient(request.headers, body);
  const userAgent = request.headers['user-agent'];
  const admitted: InterceptionStart = {
    id,
    initiatorId: userId,
    apiKeyId: input.principal.apiKeyId,
    provider: route.instance.type,
    providerName: route.instance.name,
    model: inspection.model,
    client,
    clientSessionId,
    // A lineage still being looked up is known at the end; the crash journal's copy goes without it.
    ...(lineage instanceof Promise ? { threadParentId: null, threadRootId: null } : lineage),
    credentialKind: credential.kind,
    credentialHint: credential.hint,
    metadata: { ...(userAgent === undefined ? {} : { user_agent: userAgent }), ...inspection.metadata },
    startedAt,
  };
  // Admitted last, right before the try whose finally queues the records: nothing can throw in between.
  if (!state.context.recorder.admit({ start: admitted, prompt: inspection.prompt })) {
    throw proxyError(
      503,
      'The bridge cannot record more requests right now; retry shortly.',
      'recorder_queue_full',
    );
  }
  let outcome: InterceptionOutcome | undefined;
  try {
    outcome = await forward(input, {
      id,
      body: inspection.editedBody ?? bodyBytes,
      credential,
      createParser: inspection.createParser,
    });
  } finally {
    outcome ??= failed(null, 'the bridge failed while relaying the response');
    const start = lineage instanceof Promise ? { ...admitted, ...(await lineage) } : admitted;
    record(state, { start, prompt: inspection.prompt, outcome });
  }
}

async function forward(
  input: InterceptInput,
  call: {
    id: string;
    body: Buffer | string;
    credential: UpstreamCredential;
    createParser: () => ResponseParser;
  },
): Promise<InterceptionOutcome> {
  const { reply, request, route } = input;
  const extraHeaders = { 'x-aibridge-interception-id': call.id };
  reply.hijack();
  const response = reply.raw;
  const abort = new AbortController();
  let clientGone = false;
  response.on('close', () => {
    if (response.writableFinished) return;
    clientGone = true;
    abort.abort();
  });
  let upstream: Awaited<ReturnType<typeof route.pool.request>>;
  try {
    const authorized = call.credential.authorize({
      method: 'POST',
      path: route.adapter.upstreamPath(input.path),
      headers: upstreamRequestHeaders({ headers: request.headers, keepEncoding: false }),
      body: call.body,
    });
    upstream = await route.pool.request({
      method: 'POST',
      path: authorized.path,
      headers: authorized.headers,
      body: authorized.body,
      signal: abort.signal,
    });
  } catch (error) {
    if (clientGone)
      return failed(null, 'client disconnected before the upstream answered', { client_disconnected: true });
    const message = `upstream unreachable: ${describeError(error)}`;
    input.state.context.logger.warn(
      { interceptionId: call.id, provider: route.instance.name, err: error },
      message,
    );
    writeProxyError({
      response,
      adapter: route.adapter,
      error: proxyError(
        502,
        `The bridge could not reach ${route.instance.name}: ${describeError(error)}`,
        'upstream_unreachable',
      ),
      extraHeaders,
    });
    return failed(null, message);
  }
  const result = await relayResponse({
    upstream,
    response,
    adapter: route.adapter,
    endpoint: input.endpoint,
    parser: call.createParser(),
    extraHeaders,
    clientGone: () => clientGone,
  });
  if (clientGone) abort.abort();
  const problems = [...result.problems, ...(result.summary?.problems ?? [])];
  if (problems.length > 0) {
    input.state.context.logger.warn(
      { interceptionId: call.id, problems },
      'problems reading the upstream response',
    );
  }
  return {
    endedAt: new Date(),
    upstreamStatus: result.upstreamStatus,
    error: result.error,
    summary: result.summary,
    metadata: {
      ...providerRequestId(upstream.headers),
      ...(problems.length > 0 ? { parse_problems: problems } : {}),
      ...(result.clientDisconnected ? { client_disconnected: true } : {}),
    },
  };
}

function failed(upstreamStatus: number | null, error: string, metadata = {}): InterceptionOutcome {
  return { endedAt: new Date(), upstreamStatus, error, summary: null, metadata };
}

/** Queues the interception's records and remembers its tool calls for the threads that will follow. */
export function record(state: ProxyState, input: Parameters<typeof buildRecords>[0]): void {
  const { start, outcome } = input;
  state.context.recorder.enqueue(buildRecords(input), { admitted: true });
  state.context.observability?.interceptionQueued(input);
  const toolCallIds = (outcome.summary?.toolCalls ?? []).flatMap((call) =>
    call.providerToolCallId === null ? [] : [call.providerToolCallId],
  );
  if (toolCallIds.length > 0) {
    state.lineage.remember({
      toolCallIds,
      interceptionId: start.id,
      rootId: start.threadRootId ?? start.id,
      initiatorId: start.initiatorId,
    });
  }
}
