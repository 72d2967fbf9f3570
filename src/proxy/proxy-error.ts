import { HttpError } from '../http-error.js';
import type { BridgeErrorInfo } from '../providers/index.js';

/** An error the proxy answers itself; the route's provider adapter gives it the provider's shape. */
export class ProxyError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, message: string, code: string) {
    super(message);
    this.name = 'ProxyError';
    this.status = status;
    this.code = code;
  }

  /** The fields a provider error body carries. */
  toInfo(): BridgeErrorInfo {
    return { status: this.status, message: this.message, code: this.code };
  }
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

/** Any error thrown on a proxy route → the information of a provider-shaped error response. */
export function toProxyError(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  if (error instanceof HttpError) {
    const code =
      error.status === 401 ? 'invalid_api_key' : error.status === 403 ? 'permission_denied' : 'bridge_error';
    const message = error.detail === undefined ? error.message : `${error.message} ${error.detail}`;
    return new ProxyError(error.status, message, code);
  }
  const fastifyCode = (error as { code?: unknown } | null)?.code;
  const known = typeof fastifyCode === 'string' ? fastifyErrors[fastifyCode] : undefined;
  if (known !== undefined) return new ProxyError(known.status, known.message, known.code);
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ProxyError(status, error instanceof Error ? error.message : 'Bad request.', 'invalid_request');
  }
  return new ProxyError(500, 'The bridge failed to handle the request.', 'bridge_error');
}
