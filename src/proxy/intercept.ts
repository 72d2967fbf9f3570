/**
 * The interception pipeline of one request: read the body → detect client, session and thread → forward
 * upstream → relay the response while parsing it → queue the records of the whole interception at once.
 * Nothing here waits on the database: the records go to the recorder's queue.
 */
import { isUtf8 } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import type { Principal, TokenSource } from '../auth/authenticate.js';
import { newId } from '../core/ids.js';
import type { InterceptionStart } from '../core/records.js';
import { parseJson } from '../providers/events/parse-json.js';
import type { EndpointAdapter, RequestInspection } from '../providers/index.js';
import { asObject } from '../providers/json/read-json.js';
import { buildRecords, type InterceptionOutcome } from './build-records.js';
import { describeError } from './describe-error.js';
import { detectClient } from './detect-client.js';
import { upstreamRequestHeaders } from './forward-headers.js';
import { providerRequestId } from './provider-request-id.js';
import { proxyError, toProxyError } from './proxy-error.js';
import type { ProxyRoute, ProxyState } from './proxy-state.js';
import { relayResponse } from './relay-response.js';
import { BodyAborted, BodyForward, StreamedBody } from './request-body.js';
import { resolveCredential, type UpstreamCredential } from './resolve-credential.js';
import type { ThreadLineage } from './thread-lineage.js';
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

/** Handles one intercepted request from its body to its queued records. */
export async function intercept(input: InterceptInput): Promise<void> {
  const { request } = input;
  if (request.body instanceof StreamedBody) {
    await interceptStreamed(input, request.body);
    return;
  }
  const bodyBytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  // JSON is UTF-8: decoding other bytes would forward and record replacement characters instead.
  if (!isUtf8(bodyBytes)) {
    throw proxyError(400, 'Request body must be valid UTF-8 JSON.', 'invalid_request_body');
  }
  const text = bodyBytes.toString('utf8');
  const body = parseBody(text);
  const credential = credentialOf(input);
  const admitted = admit(input, { body, text, credential });
  // Admitted right before the try whose finally queues the records: nothing can throw in between.
  let outcome: InterceptionOutcome | undefined;
  try {
    const exchange = openExchange(input);
    const upstream = sendUpstream(input, exchange, {
      credential,
      body: admitted.inspection.editedBody ?? bodyBytes,
      length: null,
    });
    outcome = await relay(input, exchange, admitted, upstream);
  } finally {
    outcome ??= failed(null, 'the bridge failed while relaying the response');
    await recordAdmitted(input.state, admitted, outcome);
  }
}

/**
 * The streamed path, for endpoints that never edit the body: once the request is authenticated, planned
 * and the recorder has room, the upstream request starts with the first chunk that can go on, its body
 * forwarded as it arrives; the copy read beside it is parsed and the interception admitted before the
 * last chunk goes on and before the response is relayed. A body that is not UTF-8 JSON, too large, or a
 * client that leaves mid-upload aborts the upload. A body that came whole in one read goes in one write.
 */
async function interceptStreamed(input: InterceptInput, streamed: StreamedBody): Promise<void> {
  const { state } = input;
  const credential = credentialOf(input);
  // The room check before anything goes upstream; admission itself once the body is read (below).
  if (!state.context.recorder.hasRoom()) throw recorderFull();
  const exchange = openExchange(input);
  const started: { upstream?: Promise<Dispatcher.ResponseData> } = {};
  const forward: BodyForward = new BodyForward({
    stream: streamed.stream,
    limit: state.context.config.maxBodySize,
    length: streamed.length,
    // The upload starts with the first chunk that can go on; a body whole before that goes in one write.
    onForwardable: () => {
      started.upstream = sendUpstream(input, exchange, {
        credential,
        body: Readable.from(forward.upload(), { objectMode: false }),
        length: streamed.length,
      });
    },
  });
  let admitted: Admitted;
  try {
    const text = await forward.text;
    admitted = admit(input, { body: parseBody(text), text, credential });
  } catch (error) {
    forward.fail(error instanceof Error ? error : new Error(String(error)));
    exchange.abort.abort();
    // Let the aborted request settle (and drop a response that came early) before answering.
    await started.upstream?.then(
      (response) => response.body.destroy(),
      () => {},
    );
    if (error instanceof BodyAborted) return;
    const proxyFailure = toProxyError(error);
    if (proxyFailure.status >= 500) {
      state.context.logger.error({ err: error, path: input.pathname }, 'proxy request failed');
    }
    writeProxyError({
      response: exchange.response,
      adapter: input.route.adapter,
      error: proxyFailure,
      extraHeaders: {},
    });
    return;
  }
  // Admitted right before the try whose finally queues the records: nothing can throw in between.
  let outcome: InterceptionOutcome | undefined;
  try {
    if (started.upstream) forward.release();
    const upstream =
      started.upstream ??
      sendUpstream(input, exchange, { credential, body: forward.wholeBody(), length: null });
    outcome = await relay(input, exchange, admitted, upstream);
  } finally {
    outcome ??= failed(null, 'the bridge failed while relaying the response');
    await recordAdmitted(state, admitted, outcome);
  }
}

function parseBody(text: string): Record<string, unknown> {
  const parsed = parseJson(text);
  const body = parsed.ok ? asObject(parsed.value) : null;
  if (body === null) {
    const reason = parsed.ok ? 'it is not a JSON object' : parsed.error;
    throw proxyError(400, `Request body must be a JSON object: ${reason}.`, 'invalid_request_body');
  }
  return body;
}

function credentialOf(input: InterceptInput): UpstreamCredential {
  const { state, route, request } = input;
  return resolveCredential({
    headers: request.headers,
    query: input.query,
    tokenSource: input.tokenSource,
    adapter: route.adapter,
    centralKey: route.instance.key,
    allowByok: state.context.config.allowByok,
  });
}

function recorderFull() {
  return proxyError(
    503,
    'The bridge cannot record more requests right now; retry shortly.',
    'recorder_queue_full',
  );
}

/** An interception let in by the recorder (and journaled), whose records must be queued exactly once. */
interface Admitted {
  start: InterceptionStart;
  lineage: ReturnType<ThreadLineage['resolve']>;
  inspection: RequestInspection;
}

/** Reads what is recorded from the body and lets the interception in; throws 503 when there is no room. */
function admit(
  input: InterceptInput,
  read: { body: Record<string, unknown>; text: string; credential: UpstreamCredential },
): Admitted {
  const { state, route, request } = input;
  const { body, credential } = read;
  const inspection = input.endpoint.inspect({ path: input.pathname, body, text: read.text });
  const userId = input.principal.user.id;
  const lineage = state.lineage.resolve(inspection.latestToolResultId, userId);
  const { client, clientSessionId } = detectClient(request.headers, body);
  const userAgent = request.headers['user-agent'];
  const start: InterceptionStart = {
    id: newId(),
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
    startedAt: new Date(),
  };
  if (!state.context.recorder.admit({ start, prompt: inspection.prompt })) throw recorderFull();
  return { start, lineage, inspection };
}

async function recordAdmitted(
  state: ProxyState,
  admitted: Admitted,
  outcome: InterceptionOutcome,
): Promise<void> {
  const { lineage } = admitted;
  const start = lineage instanceof Promise ? { ...admitted.start, ...(await lineage) } : admitted.start;
  record(state, { start, prompt: admitted.inspection.prompt, outcome });
}

/** The client's side of an exchange: the hijacked response, and the abort of the upstream call when it leaves. */
interface Exchange {
  response: ServerResponse;
  abort: AbortController;
  clientGone(): boolean;
}

function openExchange(input: InterceptInput): Exchange {
  input.reply.hijack();
  const response = input.reply.raw;
  const abort = new AbortController();
  let gone = false;
  response.on('close', () => {
    if (response.writableFinished) return;
    gone = true;
    abort.abort();
  });
  return { response, abort, clientGone: () => gone };
}

/** Starts the upstream call; its body is the received bytes, an edit of them, or the bytes as they arrive. */
function sendUpstream(
  input: InterceptInput,
  exchange: Exchange,
  call: {
    credential: UpstreamCredential;
    body: Buffer | string | Readable;
    /** The length of a streamed body, when the client declared it. */
    length: number | null;
  },
): Promise<Dispatcher.ResponseData> {
  const { request, route } = input;
  const headers = upstreamRequestHeaders({ headers: request.headers, keepEncoding: false });
  if (call.length !== null) headers['content-length'] = String(call.length);
  const streamed = typeof call.body !== 'string' && !Buffer.isBuffer(call.body);
  // No `authorize` hook reads the body (see `EndpointAdapter.editsRequestBody`): a streamed one is set after.
  const authorized = call.credential.authorize({
    method: 'POST',
    path: route.adapter.upstreamPath(input.path),
    headers,
    body: streamed ? null : (call.body as Buffer | string),
  });
  const upstream = route.pool.request({
    method: 'POST',
    path: authorized.path,
    headers: authorized.headers,
    body: streamed ? call.body : authorized.body,
    signal: exchange.abort.signal,
  });
  // Awaited later (after the body is read); a failure meanwhile is no unhandled rejection.
  upstream.catch(() => {});
  return upstream;
}

/** Waits for the upstream's answer and relays it, reading it for the records. */
async function relay(
  input: InterceptInput,
  exchange: Exchange,
  admitted: Admitted,
  pending: Promise<Dispatcher.ResponseData>,
): Promise<InterceptionOutcome> {
  const { route } = input;
  const { response } = exchange;
  const id = admitted.start.id;
  const extraHeaders = { 'x-aibridge-interception-id': id };
  let upstream: Dispatcher.ResponseData;
  try {
    upstream = await pending;
  } catch (error) {
    if (exchange.clientGone())
      return failed(null, 'client disconnected before the upstream answered', { client_disconnected: true });
    const message = `upstream unreachable: ${describeError(error)}`;
    input.state.context.logger.warn(
      { interceptionId: id, provider: route.instance.name, err: error },
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
    parser: admitted.inspection.createParser(),
    extraHeaders,
    clientGone: exchange.clientGone,
  });
  if (exchange.clientGone()) exchange.abort.abort();
  const problems = [...result.problems, ...(result.summary?.problems ?? [])];
  if (problems.length > 0) {
    input.state.context.logger.warn(
      { interceptionId: id, problems },
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
