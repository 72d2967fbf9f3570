/**
 * The summed token usage metadata of each session, so a session's `token_usage_summary` is read
 * from its rollup row instead of summing every usage of a session that may hold thousands.
 * - `aibridge_numeric_leaves(metadata)`: the numeric leaves of a JSON object, nested keys joined by dots
 *   (the flattening of src/store/sum-token-usages.ts); other values are not summable and are left out.
 * - `aibridge_add_numeric_objects(a, b)`: two such flat objects added key by key.
 * - `aibridge_sessions.token_metadata`: maintained by update-rollups.ts, back-filled here.
 */
export const sessionTokenMetadata = `
CREATE FUNCTION aibridge_numeric_leaves(metadata jsonb) RETURNS TABLE (key text, value numeric)
LANGUAGE sql IMMUTABLE AS $$
  -- jsonb_each is only ever given objects (the CASE), so a scalar never raises an error.
  WITH RECURSIVE leaves(key, value) AS (
    SELECT e.key, e.value
    FROM jsonb_each(CASE WHEN jsonb_typeof(metadata) = 'object' THEN metadata ELSE '{}' END) e
    UNION ALL
    SELECT l.key || '.' || e.key, e.value
    FROM leaves l, jsonb_each(CASE WHEN jsonb_typeof(l.value) = 'object' THEN l.value ELSE '{}' END) e
    WHERE jsonb_typeof(l.value) = 'object'
  )
  SELECT key, value::numeric FROM leaves WHERE jsonb_typeof(value) = 'number'
$$;

CREATE FUNCTION aibridge_add_numeric_objects(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(key, total), '{}') FROM (
    SELECT key, sum(value::numeric) AS total
    FROM (SELECT * FROM jsonb_each(a) UNION ALL SELECT * FROM jsonb_each(b)) pairs GROUP BY key
  ) summed
$$;

ALTER TABLE aibridge_sessions ADD COLUMN token_metadata jsonb NOT NULL DEFAULT '{}';

UPDATE aibridge_sessions s SET token_metadata = m.token_metadata FROM (
  SELECT initiator_id, session_key, jsonb_object_agg(key, total) AS token_metadata FROM (
    SELECT i.initiator_id, i.session_key, l.key, sum(l.value) AS total
    FROM aibridge_interceptions i
    JOIN aibridge_token_usages t ON t.interception_id = i.id
    CROSS JOIN LATERAL aibridge_numeric_leaves(t.metadata) l
    WHERE i.ended_at IS NOT NULL
    GROUP BY 1, 2, 3
  ) leaves GROUP BY 1, 2
) m WHERE s.initiator_id = m.initiator_id AND s.session_key = m.session_key;
`;
