/** One problem with one input field, as in Coder's API. */
export interface Validation {
  field: string;
  detail: string;
}

/** The error body of the bridge's own API: `{message, detail, validations}`. */
export interface ErrorBody {
  message: string;
  detail?: string;
  validations?: Validation[];
}

/**
 * An error that maps to an HTTP response in one place (the server's error handler; the proxy maps it to
 * the provider's error shape instead).
 */
export class HttpError extends Error {
  readonly status: number;
  readonly detail: string | undefined;
  readonly validations: Validation[];
  /**
   * A machine-readable code, for errors answered in a provider's shape (e.g. `upstream_unreachable`);
   * the bridge's own API does not send it.
   */
  readonly code: string | undefined;

  constructor(
    status: number,
    message: string,
    options: { detail?: string; validations?: Validation[]; code?: string } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.detail = options.detail;
    this.validations = options.validations ?? [];
    this.code = options.code;
  }

  /** The JSON body of this error. */
  toBody(): ErrorBody {
    return {
      message: this.message,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(this.validations.length > 0 ? { validations: this.validations } : {}),
    };
  }
}

/** 400 with one validation entry per problem. */
export function badRequest(message: string, validations: Validation[] = [], detail?: string): HttpError {
  return new HttpError(400, message, { validations, ...(detail === undefined ? {} : { detail }) });
}

export const unauthorized = (message = 'You must be authenticated to use this endpoint.', detail?: string) =>
  new HttpError(401, message, detail === undefined ? {} : { detail });

export const forbidden = (message = 'You do not have permission to do this.') => new HttpError(403, message);

export const notFound = (message = 'Resource not found or you do not have access to this resource.') =>
  new HttpError(404, message);
