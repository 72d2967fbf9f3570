/**
 * `aibridge_user_session_starts` counts sessions by initiator and the hour, day, week and month they
 * started, as `aibridge_session_starts` (migration 0010) does for everyone. A member's overview, or usage
 * filtered by user alone, counted the sessions of the range from `aibridge_sessions`: the planner chose the
 * index on start time and filtered by initiator (~19 of 20 ms for 30 days of the busiest user at 1M
 * interceptions, bench:query), and with this table it sums a few rows per period instead.
 *
 * Kept by the same statement triggers on `aibridge_sessions` (inserts, a start moving earlier, purges):
 * their functions are replaced by ones that update both tables, so a write fires no more triggers than
 * before. Back-filled here.
 *
 * Both tables, and `aibridge_usage_by_dimension`, leave free space in each page (fillfactor 70): their
 * rows are updated by every batch of their period, and an update that finds no room on its row's page adds
 * index entries for the new version; until a VACUUM, which PGlite never runs on its own and which a
 * PostgreSQL server with autovacuum off never runs, index scans step over the dead versions too (at 1M
 * interceptions, 8 buffers per row read for a user's 90 days, 1 after a VACUUM). With room on the page
 * the update is HOT and the page prunes the old versions itself.
 */
import { bucketOf, startGranularities } from './0010-session-errors.js';

/**
 * A trigger function adding what its statement changed (`changes`: initiator, started_at and +1 or -1 per
 * session row) to both start counts, each in key order so concurrent writers lock rows in the same order.
 */
function startsTrigger(name: string, changes: string): string {
  return `
CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO aibridge_session_starts AS s (granularity, bucket, sessions)
  SELECT g.granularity, ${bucketOf('c.started_at')}, sum(c.n)
  FROM (${changes}) AS c (initiator_id, started_at, n) CROSS JOIN ${startGranularities}
  GROUP BY 1, 2 HAVING sum(c.n) <> 0 ORDER BY 1, 2
  ON CONFLICT (granularity, bucket) DO UPDATE SET sessions = s.sessions + excluded.sessions;
  INSERT INTO aibridge_user_session_starts AS s (initiator_id, granularity, bucket, sessions)
  SELECT c.initiator_id, g.granularity, ${bucketOf('c.started_at')}, sum(c.n)
  FROM (${changes}) AS c (initiator_id, started_at, n) CROSS JOIN ${startGranularities}
  GROUP BY 1, 2, 3 HAVING sum(c.n) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (initiator_id, granularity, bucket) DO UPDATE SET sessions = s.sessions + excluded.sessions;
  RETURN NULL;
END $$;`;
}

export const userSessionStarts = `
CREATE TABLE aibridge_user_session_starts (
  initiator_id uuid NOT NULL,
  granularity text NOT NULL CHECK (granularity IN ('hour', 'day', 'week', 'month')),
  bucket timestamptz NOT NULL,
  sessions bigint NOT NULL,
  PRIMARY KEY (initiator_id, granularity, bucket)
) WITH (fillfactor = 70);
ALTER TABLE aibridge_session_starts SET (fillfactor = 70);
ALTER TABLE aibridge_usage_by_dimension SET (fillfactor = 70);
-- Read through its primary key, a few rows per period (see migration 0012 on parallel workers).
ALTER TABLE aibridge_user_session_starts SET (parallel_workers = 0);
INSERT INTO aibridge_user_session_starts (initiator_id, granularity, bucket, sessions)
SELECT s.initiator_id, g.granularity, ${bucketOf('s.started_at')}, count(*)
FROM aibridge_sessions s CROSS JOIN ${startGranularities} GROUP BY 1, 2, 3;
${startsTrigger('aibridge_session_starts_insert', 'SELECT initiator_id, started_at, 1 FROM new_rows')}
${startsTrigger('aibridge_session_starts_delete', 'SELECT initiator_id, started_at, -1 FROM old_rows')}
${startsTrigger(
  'aibridge_session_starts_update',
  'SELECT initiator_id, started_at, -1 FROM old_rows UNION ALL SELECT initiator_id, started_at, 1 FROM new_rows',
)}
`;
