/**
 * Failed interceptions per session: `aibridge_sessions.errors` counts a session's ended interceptions with
 * an `error_type` (the failure classes of migration 0006), so the sessions list shows them without reading
 * interceptions. Maintained by update-rollups.ts (from the stored `error_type`, so the rule stays in that
 * one generated column) and back-filled here.
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

/** Adds `aibridge_sessions.errors` and back-fills it. */
export const sessionErrors = `
ALTER TABLE aibridge_sessions ADD COLUMN errors bigint NOT NULL DEFAULT 0;
${backfillSessionErrors}`;
