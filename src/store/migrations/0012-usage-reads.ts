/**
 * Reads of the dashboard's overview (query-usage.ts):
 * - The usage rollups are never scanned in parallel: a usage statement reads a few thousand rows through
 *   indexes, but the planner's estimates for its ranges of periods can pass the threshold for parallel
 *   workers, and starting them cost more than the whole statement (22 of 30 ms on a busy 2-core machine,
 *   EXPLAIN ANALYZE). Set on the tables, this replaces a per-request transaction that turned workers off
 *   (three round trips of four).
 * - Sessions by initiator and start time: a member's overview (and any usage filtered by user) counts the
 *   sessions they started in the range. Through the index on start time alone, 30 days of the busiest user
 *   at 1M interceptions read 35k sessions to keep 2.5k (25 ms); through this one, only theirs.
 */
export const usageReads = `
ALTER TABLE aibridge_usage_by_dimension SET (parallel_workers = 0);
ALTER TABLE aibridge_session_starts SET (parallel_workers = 0);
CREATE INDEX aibridge_sessions_initiator_started ON aibridge_sessions (initiator_id, started_at);
`;
