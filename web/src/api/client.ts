/**
 * The dashboard's only way to the server: same-origin fetches that carry the session cookie (the browser
 * adds it; the page never sees it) and, on requests that change something, the session's CSRF token,
 * which lives in memory only.
 */

export interface Validation {
  field: string;
  detail: string;
}

/** An error answer of the API, with its message and validations. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string | undefined;
  readonly validations: Validation[];

  constructor(status: number, body: { message?: string; detail?: string; validations?: Validation[] }) {
    super(body.message ?? `Request failed with status ${status}.`);
    this.status = status;
    this.detail = body.detail;
    this.validations = body.validations ?? [];
  }
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

/** Remembers the CSRF token of the current session (null after sign-out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session has ended, so the app can show the sign-in page. */
export function setSignedOutHandler(handler: (() => void) | null): void {
  onSignedOut = handler;
}

/** Calls the API and parses its JSON answer; throws ApiError on an error answer. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = { message: text.slice(0, 200) };
  }
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/api/v2/web-session')) onSignedOut?.();
    throw new ApiError(response.status, (body ?? {}) as { message?: string });
  }
  return body as T;
}

/** A query string from parameters; empty values are left out. */
export function queryString(parameters: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** Builds the `q` search of the query API from key/value filters (values quoted when they need it). */
export function searchQuery(filters: Record<string, string | undefined>): string {
  return Object.entries(filters)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) =>
      /[\s"]/.test(value) ? `${key}:"${value.replaceAll('"', '')}"` : `${key}:${value}`,
    )
    .join(' ');
}
