/**
 * One `response.create` on a WebSocket connection is one interception, recorded exactly as its HTTP twin:
 * the same inspection of the request body, the same response parser, the same records and thread lineage.
 * What the connection adds: the client, session and user agent come from the upgrade request's headers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '../../auth/authenticate.js';
import { newId } from '../../core/ids.js';
import type { InterceptionStart, JsonObject } from '../../core/records.js';
import type { EndpointAdapter, ResponseParser } from '../../providers/index.js';
import type { InterceptionOutcome } from '../build-records.js';
import { detectClient } from '../detect-client.js';
import { record } from '../intercept.js';
import type { ProxyRoute, ProxyState } from '../proxy-state.js';
import type { UpstreamCredential } from '../resolve-credential.js';
import type { Lineage } from '../thread-lineage.js';
import { isWarmup } from './responses-socket-protocol.js';

/** What every request on one connection shares: who opened it, to which instance, with which headers. */
export interface SocketConnection {
  state: ProxyState;
  route: ProxyRoute;
  endpoint: EndpointAdapter;
  principal: Principal;
  credential: UpstreamCredential;
  /** The upgrade request's headers. */
  headers: IncomingHttpHeaders;
  /** The path below the instance root the upgrade asked for, e.g. `/v1/responses`. */
  path: string;
  /** Recorded with each interception: the client cannot get an interception id header per message. */
  connectionId: string;
}

/** One request in flight on a connection. */
export interface SocketTurn {
  id: string;
  startedAt: Date;
  model: string;
  prompt: string | null;
  client: string;
  clientSessionId: string | null;
  lineage: Lineage | Promise<Lineage>;
  metadata: JsonObject;
  parser: ResponseParser;
  /** Problems of the relay itself (a parser that threw), recorded beside the parser's own. */
  problems: string[];
}

/** Reads a `response.create` message (its parsed body and exact text) as the HTTP path reads a body. */
export function startTurn(
  connection: SocketConnection,
  message: { body: Record<string, unknown>; text: string },
): SocketTurn {
  const { headers } = connection;
  const { body } = message;
  const inspection = connection.endpoint.inspect({ path: connection.path, body, text: message.text });
  const warmup = isWarmup(body);
  const userId = connection.principal.user.id;
  const { client, clientSessionId } = detectClient(headers, body);
  const userAgent = headers['user-agent'];
  return {
    id: newId(),
    startedAt: new Date(),
    model: inspection.model,
    prompt: warmup ? null : inspection.prompt,
    client,
    clientSessionId,
    // A warm-up generates nothing: it neither continues a thread nor starts one.
    lineage: warmup
      ? { threadParentId: null, threadRootId: null }
      : connection.state.lineage.resolve(inspection.latestToolResultId, userId),
    metadata: {
      ...(userAgent === undefined ? {} : { user_agent: userAgent }),
      transport: 'websocket',
      websocket_connection_id: connection.connectionId,
      ...(warmup ? { warmup: true } : {}),
    },
    parser: inspection.createParser(),
    problems: [],
  };
}

/** How a turn ended, before the records are built. */
export interface TurnEnding {
  upstreamStatus: number | null;
  error: string | null;
  metadata?: JsonObject | undefined;
  /** Whether the parser's summary is kept (false when no response was read). */
  read: boolean;
}

/** Queues the records of a turn the recorder admitted (exactly once: the recorder's drain waits for it). */
export async function recordTurn(
  connection: SocketConnection,
  turn: SocketTurn,
  ending: TurnEnding,
): Promise<void> {
  const { state, route, principal, credential } = connection;
  const lineage = turn.lineage instanceof Promise ? await turn.lineage : turn.lineage;
  const summary = ending.read ? safeSummary(turn.parser) : null;
  const problems = [...turn.problems, ...(summary?.problems ?? [])];
  const outcome: InterceptionOutcome = {
    endedAt: new Date(),
    upstreamStatus: ending.upstreamStatus,
    error: ending.error ?? summary?.error ?? null,
    summary,
    metadata: { ...(problems.length > 0 ? { parse_problems: problems } : {}), ...ending.metadata },
  };
  const start: InterceptionStart = {
    id: turn.id,
    initiatorId: principal.user.id,
    apiKeyId: principal.apiKeyId,
    provider: route.instance.type,
    providerName: route.instance.name,
    model: turn.model,
    client: turn.client,
    clientSessionId: turn.clientSessionId,
    ...lineage,
    credentialKind: credential.kind,
    credentialHint: credential.hint,
    metadata: turn.metadata,
    startedAt: turn.startedAt,
  };
  record(state, { start, prompt: turn.prompt, outcome });
  state.context.logger.debug(
    {
      interceptionId: turn.id,
      connectionId: connection.connectionId,
      responseId: summary?.responseId ?? null,
      error: outcome.error,
    },
    'websocket response recorded',
  );
}

function safeSummary(parser: ResponseParser) {
  try {
    return parser.finish();
  } catch {
    return null;
  }
}
