/**
 * The usage rollups read by the overview (query-usage.ts) are never scanned in parallel: a usage statement
 * reads a few thousand rows through indexes, but the planner's estimates for its unions of period ranges
 * can pass the threshold for parallel workers, and starting them cost more than the whole statement (22 of
 * 30 ms on a busy 2-core machine, EXPLAIN ANALYZE). Set on the tables, this replaces a per-request
 * transaction that turned workers off (three round trips of four).
 */
export const usageReads = `
ALTER TABLE aibridge_usage_by_dimension SET (parallel_workers = 0);
ALTER TABLE aibridge_session_starts SET (parallel_workers = 0);
`;
