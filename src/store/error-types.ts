/**
 * The failure classes of an interception, as the query API shows them in `error_type` and filters by
 * them with `error:`; `null` means the interception did not fail. The database assigns them (the
 * `error_type` column of migration 0006 says how).
 */
export const errorTypes = [
  'bad_request',
  'authentication',
  'permission',
  'not_found',
  'rate_limit',
  'overloaded',
  'server_error',
  'timeout',
  'client_disconnected',
  'interrupted',
  'unknown',
] as const;

/** One failure class of an interception. */
export type ErrorType = (typeof errorTypes)[number];
