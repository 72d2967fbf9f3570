/**
 * Two additions to the rollups:
 * - `aibridge_sessions.errors` counts a session's ended interceptions with an `error_type` (the failure
 *   classes of migration 0006), so the sessions list shows them without reading interceptions. Maintained
 *   by update-rollups.ts (from the stored `error_type`, so the rule stays in that one generated column).
 * - Usage over long ranges without reading one row per user per day: `aibridge_usage_by_dimension` also
 *   keeps the sums per UTC week (from Monday) and month, so a range's totals per key read whole months,
 *   then whole weeks, days and hours only at its edges (90 days by user at 1M interceptions: ~18k day rows
 *   → ~2k rows); an index by key serves the series of the few largest groups; and
 *   `aibridge_session_starts` counts sessions by the hour, day, week and month they started, kept by
 *   triggers on `aibridge_sessions` (whatever writes or purges it), so the overview's session count no
 *   longer scans the sessions of the range (~100k index entries for 90 days).
 * All back-filled here.
 */

/** Sets every session's `errors` from its interceptions (the back-fill; tests compare it to the writer's). */
export const backfillSessionErrors = `
UPDATE aibridge_sessions s SET errors = e.errors
FROM (
  SELECT initiator_id, session_key, count(*) AS errors FROM aibridge_interceptions
  WHERE ended_at IS NOT NULL AND error_type IS NOT NULL
  GROUP BY 1, 2
) e
WHERE s.initiator_id = e.initiator_id AND s.session_key = e.session_key;
`;

/** The granularities of the session starts, and the coarser ones of `aibridge_usage_by_dimension`. */
export const startGranularities = `(VALUES ('hour'), ('day'), ('week'), ('month')) AS g (granularity)`;
export const bucketOf = (column: string) =>
  `date_trunc(g.granularity, ${column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;

/**
 * One trigger function per event, each adding what its statement changed (`changes`: started_at and +1 or
 * -1 per session row) to the starts, in key order so concurrent writers lock rows in the same order.
 */
function startsTrigger(name: string, changes: string): string {
  return `
CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO aibridge_session_starts AS s (granularity, bucket, sessions)
  SELECT g.granularity, ${bucketOf('c.started_at')}, sum(c.n)
  FROM (${changes}) AS c (started_at, n) CROSS JOIN ${startGranularities}
  GROUP BY 1, 2 HAVING sum(c.n) <> 0 ORDER BY 1, 2
  ON CONFLICT (granularity, bucket) DO UPDATE SET sessions = s.sessions + excluded.sessions;
  RETURN NULL;
END $$;`;
}

/** The usage additions (also applied by hand to a benchmark database kept from before them). */
export const usageByPeriod = `
ALTER TABLE aibridge_usage_by_dimension DROP CONSTRAINT aibridge_usage_by_dimension_granularity_check;
ALTER TABLE aibridge_usage_by_dimension ADD CONSTRAINT aibridge_usage_by_dimension_granularity_check
  CHECK (granularity IN ('hour', 'day', 'week', 'month'));
${usageByPeriodFromDays('TRUE')}
CREATE INDEX aibridge_usage_by_dimension_key ON aibridge_usage_by_dimension (granularity, dimension, key, bucket);

CREATE TABLE aibridge_session_starts (
  granularity text NOT NULL CHECK (granularity IN ('hour', 'day', 'week', 'month')),
  bucket timestamptz NOT NULL,
  sessions bigint NOT NULL,
  PRIMARY KEY (granularity, bucket)
);
INSERT INTO aibridge_session_starts (granularity, bucket, sessions)
SELECT g.granularity, ${bucketOf('s.started_at')}, count(*)
FROM aibridge_sessions s CROSS JOIN ${startGranularities} GROUP BY 1, 2;
${startsTrigger('aibridge_session_starts_insert', 'SELECT started_at, 1 FROM new_rows')}
${startsTrigger('aibridge_session_starts_delete', 'SELECT started_at, -1 FROM old_rows')}
${startsTrigger(
  'aibridge_session_starts_update',
  'SELECT started_at, -1 FROM old_rows UNION ALL SELECT started_at, 1 FROM new_rows',
)}
CREATE TRIGGER aibridge_session_starts_insert AFTER INSERT ON aibridge_sessions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_session_starts_insert();
CREATE TRIGGER aibridge_session_starts_delete AFTER DELETE ON aibridge_sessions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION aibridge_session_starts_delete();
CREATE TRIGGER aibridge_session_starts_update AFTER UPDATE ON aibridge_sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION aibridge_session_starts_update();
`;

/**
 * Adds the week and month rows of `aibridge_usage_by_dimension` summed from its day rows that match
 * `condition` (on alias `d`): the back-fill, the benchmark's bulk load and the purge's partial periods.
 */
export function usageByPeriodFromDays(condition: string): string {
  return `
INSERT INTO aibridge_usage_by_dimension AS u (granularity, dimension, bucket, key, interceptions, failed,
  input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens)
SELECT g.granularity, d.dimension, ${bucketOf('d.bucket')}, d.key, sum(d.interceptions), sum(d.failed),
  sum(d.input_tokens), sum(d.output_tokens), sum(d.cache_read_input_tokens), sum(d.cache_write_input_tokens)
FROM aibridge_usage_by_dimension d CROSS JOIN (VALUES ('week'), ('month')) AS g (granularity)
WHERE d.granularity = 'day' AND ${condition}
GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 2, 4;`;
}

/** Adds `aibridge_sessions.errors`, the usage periods and the session starts, and back-fills them. */
export const sessionErrors = `
ALTER TABLE aibridge_sessions ADD COLUMN errors bigint NOT NULL DEFAULT 0;
${backfillSessionErrors}
${usageByPeriod}`;
