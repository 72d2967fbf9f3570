/**
 * Failures made visible: every ended interception gets an `error_type`, one of the classes the query API
 * shows and filters by, or NULL for a success. A stored generated column, so the class is computed once
 * when a row is written or ended (by the writer, or by any later update such as crash recovery marking a
 * replayed interception interrupted), existing rows are classified when the column is added, and the
 * rule lives in this one expression. Classes, first match wins:
 * - interrupted: recovery marked it (error text starting with "interrupted", or `metadata.interrupted`);
 * - client_disconnected: the client left before the answer was complete (`metadata.client_disconnected`);
 * - by upstream status: 408/504 timeout, 400/422 bad_request, 401 authentication, 403 permission,
 *   404 not_found, 429 rate_limit, 529 overloaded (Anthropic), other 5xx server_error, other 4xx bad_request;
 * - by the recorded error of a response without an error status (a stream's error event, a socket
 *   failure): timeouts, Anthropic's `overloaded_error` ("Overloaded"), rate limits; anything else unknown.
 * Two small partial indexes (errors are few) serve `has_error:true` and `error:<type>` pages and counts;
 * `has_error:false` uses the list's own indexes.
 */
export const errorType = `
ALTER TABLE aibridge_interceptions ADD COLUMN error_type text GENERATED ALWAYS AS (
  CASE
    WHEN ended_at IS NULL THEN NULL
    WHEN error ILIKE 'interrupted%' OR metadata @> '{"interrupted": true}' THEN 'interrupted'
    WHEN metadata @> '{"client_disconnected": true}' THEN 'client_disconnected'
    WHEN upstream_status IN (408, 504) THEN 'timeout'
    WHEN upstream_status IN (400, 422) THEN 'bad_request'
    WHEN upstream_status = 401 THEN 'authentication'
    WHEN upstream_status = 403 THEN 'permission'
    WHEN upstream_status = 404 THEN 'not_found'
    WHEN upstream_status = 429 THEN 'rate_limit'
    WHEN upstream_status = 529 THEN 'overloaded'
    WHEN upstream_status >= 500 THEN 'server_error'
    WHEN upstream_status >= 400 THEN 'bad_request'
    WHEN error IS NULL THEN NULL
    WHEN error ~* 'time[ds]? ?out' THEN 'timeout'
    WHEN error ~* 'overloaded' THEN 'overloaded'
    WHEN error ~* 'rate.?limit' THEN 'rate_limit'
    ELSE 'unknown'
  END
) STORED;
CREATE INDEX aibridge_interceptions_failed ON aibridge_interceptions (started_at DESC, id DESC)
  WHERE ended_at IS NOT NULL AND error_type IS NOT NULL;
CREATE INDEX aibridge_interceptions_error_type ON aibridge_interceptions (error_type, started_at DESC, id DESC)
  WHERE ended_at IS NOT NULL AND error_type IS NOT NULL;
`;
