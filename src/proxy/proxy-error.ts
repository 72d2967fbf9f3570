import { HttpError } from '../http-error.js';
import type { BridgeErrorInfo } from '../providers/index.js';

/**
 * An error the proxy answers itself: an {@link HttpError} with a code, which the route's provider adapter
 * gives the provider's shape.
 */
export function proxyError(status: number, message: string, code: string): HttpError {
  return new HttpError(status, message, { code });
}

/** The fields a provider error body carries. */
export function errorInfo(error: HttpError): BridgeErrorInfo {
  return { status: error.status, message: error.message, code: error.code ?? 'bridge_error' };
}

/** Fastify's own request errors (body parsing) by code, in the proxy's terms. */
const fastifyErrors: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'request_too_large',
    message: 'Request body is too large.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'invalid_request_body',
    message: 'Request body is empty.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_request_body',
    message: 'Request body does not match its Content-Length.',
  },
};

/** Any error thrown on a proxy route → an HttpError with a code, for a provider-shaped error response. */
export function toProxyError(error: unknown): HttpError {
  if (error instanceof HttpError && error.code !== undefined) return error;
  if (error instanceof HttpError) {
    const code =
      error.status === 401 ? 'invalid_api_key' : error.status === 403 ? 'permission_denied' : 'bridge_error';
    const message = error.detail === undefined ? error.message : `${error.message} ${error.detail}`;
    return proxyError(error.status, message, code);
  }
  const fastifyCode = (error as { code?: unknown } | null)?.code;
  const known = typeof fastifyCode === 'string' ? fastifyErrors[fastifyCode] : undefined;
  if (known !== undefined) return proxyError(known.status, known.message, known.code);
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return proxyError(status, error instanceof Error ? error.message : 'Bad request.', 'invalid_request');
  }
  return proxyError(500, 'The bridge failed to handle the request.', 'bridge_error');
}
