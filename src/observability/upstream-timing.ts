/**
 * Times every upstream call made while serving a request, from undici's diagnostics channels: nothing in
 * the proxy has to measure. A call is tied to its request by the request's facts, current when undici
 * creates the call (later events arrive from the socket, so they are matched by undici's request object).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { currentRequestFacts, type UpstreamTiming } from './request-facts.js';

const timings = new WeakMap<object, UpstreamTiming>();
let subscribed = false;

interface RequestMessage {
  request: object;
}

/** Starts timing upstream calls (idempotent; the channels are process-wide). */
export function timeUpstreamCalls(): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe('undici:request:create', (message) => {
    const facts = currentRequestFacts();
    if (!facts) return;
    const timing: UpstreamTiming = { startedAt: performance.now() };
    facts.upstream = timing;
    timings.set((message as RequestMessage).request, timing);
  });
  diagnosticsChannel.subscribe('undici:request:headers', (message) => {
    const { request, response } = message as RequestMessage & { response: { statusCode: number } };
    const timing = timings.get(request);
    if (!timing) return;
    timing.headersAt = performance.now();
    timing.status = response.statusCode;
  });
  diagnosticsChannel.subscribe('undici:request:bodyChunkReceived', (message) => {
    const timing = timings.get((message as RequestMessage).request);
    if (timing && timing.firstByteAt === undefined) timing.firstByteAt = performance.now();
  });
  diagnosticsChannel.subscribe('undici:request:trailers', (message) => {
    const timing = timings.get((message as RequestMessage).request);
    if (timing) timing.endedAt = performance.now();
  });
  diagnosticsChannel.subscribe('undici:request:error', (message) => {
    const { request, error } = message as RequestMessage & { error: unknown };
    const timing = timings.get(request);
    if (!timing) return;
    timing.endedAt = performance.now();
    timing.error = error instanceof Error ? error.message : String(error);
  });
}
