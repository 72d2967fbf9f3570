/**
 * The dashboard's tables:
 * - `web_sessions`: browser sign-ins. The cookie holds a random secret; only its SHA-256 is stored, so a
 *   copy of the database signs nobody in. A session belongs to the token it was opened with and ends with
 *   it (deleted token or user → cascade). Kept in the database so that every server sharing it accepts a
 *   session made on any of them.
 * - usage rollups for `GET /api/v2/aibridge/usage`: the per-day counts gain failed interceptions and
 *   token sums, and `aibridge_usage_hourly` holds the same per UTC hour (every dimension, for filtered and
 *   per-member usage). `aibridge_usage_by_dimension` holds the same sums per hour and per day for one
 *   dimension at a time (everyone's, no filter: what the overview asks first): at 1M interceptions a
 *   90-day overview then reads ~20k narrow rows instead of ~100k wide ones (bench:query). All are
 *   maintained by update-rollups.ts and purge-records.ts and back-filled here.
 */
export const dashboard = `
CREATE TABLE web_sessions (
  secret_hash bytea PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  api_key_id text NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_api_key ON web_sessions (api_key_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

ALTER TABLE aibridge_interception_counts
  ADD COLUMN failed bigint NOT NULL DEFAULT 0,
  ADD COLUMN input_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN output_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN cache_read_input_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN cache_write_input_tokens bigint NOT NULL DEFAULT 0;

CREATE TABLE aibridge_usage_hourly (
  hour timestamptz NOT NULL,
  initiator_id uuid NOT NULL,
  provider text NOT NULL,
  provider_name text NOT NULL,
  model text NOT NULL,
  client text NOT NULL,
  interceptions bigint NOT NULL,
  failed bigint NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cache_read_input_tokens bigint NOT NULL,
  cache_write_input_tokens bigint NOT NULL,
  PRIMARY KEY (hour, initiator_id, provider, provider_name, model, client)
);
CREATE INDEX aibridge_usage_hourly_initiator ON aibridge_usage_hourly (initiator_id, hour);

-- dimension: all (key ''), user (the initiator's id), model, client, provider or provider_name.
CREATE TABLE aibridge_usage_by_dimension (
  granularity text NOT NULL CHECK (granularity IN ('hour', 'day')),
  dimension text NOT NULL,
  bucket timestamptz NOT NULL,
  key text NOT NULL,
  interceptions bigint NOT NULL,
  failed bigint NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cache_read_input_tokens bigint NOT NULL,
  cache_write_input_tokens bigint NOT NULL,
  PRIMARY KEY (granularity, dimension, bucket, key)
);

CREATE TEMP TABLE usage_backfill ON COMMIT DROP AS
SELECT date_trunc('hour', i.started_at AT TIME ZONE 'UTC') AS hour, i.initiator_id, i.provider, i.provider_name,
  i.model, i.client, count(*) AS interceptions, count(*) FILTER (WHERE i.error IS NOT NULL) AS failed,
  coalesce(sum(u.input_tokens), 0) AS input_tokens, coalesce(sum(u.output_tokens), 0) AS output_tokens,
  coalesce(sum(u.cache_read), 0) AS cache_read_input_tokens,
  coalesce(sum(u.cache_write), 0) AS cache_write_input_tokens
FROM aibridge_interceptions i
LEFT JOIN LATERAL (
  SELECT sum(t.input_tokens) AS input_tokens, sum(t.output_tokens) AS output_tokens,
    sum(t.cache_read_input_tokens) AS cache_read, sum(t.cache_write_input_tokens) AS cache_write
  FROM aibridge_token_usages t WHERE t.interception_id = i.id
) u ON TRUE
WHERE i.ended_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO aibridge_usage_hourly
SELECT hour AT TIME ZONE 'UTC', initiator_id, provider, provider_name, model, client, interceptions, failed,
  input_tokens, output_tokens, cache_read_input_tokens, cache_write_input_tokens
FROM usage_backfill;

UPDATE aibridge_interception_counts c SET failed = d.failed, input_tokens = d.input_tokens,
  output_tokens = d.output_tokens, cache_read_input_tokens = d.cache_read_input_tokens,
  cache_write_input_tokens = d.cache_write_input_tokens
FROM (
  SELECT hour::date AS day, initiator_id, provider, provider_name, model, client, sum(failed) AS failed,
    sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
    sum(cache_read_input_tokens) AS cache_read_input_tokens, sum(cache_write_input_tokens) AS cache_write_input_tokens
  FROM usage_backfill GROUP BY 1, 2, 3, 4, 5, 6
) d
WHERE c.day = d.day AND c.initiator_id = d.initiator_id AND c.provider = d.provider
  AND c.provider_name = d.provider_name AND c.model = d.model AND c.client = d.client;

${usageByDimensionFrom('usage_backfill')}
`;

/**
 * Fills `aibridge_usage_by_dimension` from a table of hourly rows (`hour` as UTC timestamp, the dimension
 * columns and the sums), as the write path would: shared with the query benchmark's bulk load.
 */
export function usageByDimensionFrom(table: string): string {
  const sums = `sum(interceptions), sum(failed), sum(input_tokens), sum(output_tokens),
    sum(cache_read_input_tokens), sum(cache_write_input_tokens)`;
  return ['hour', 'day']
    .map(
      (granularity) => `
INSERT INTO aibridge_usage_by_dimension
SELECT '${granularity}', dimension, date_trunc('${granularity}', hour) AT TIME ZONE 'UTC', key, ${sums}
FROM ${table} CROSS JOIN LATERAL (VALUES ('all', ''), ('user', initiator_id::text), ('model', model),
  ('client', client), ('provider', provider), ('provider_name', provider_name)) AS d (dimension, key)
GROUP BY 2, 3, 4 ORDER BY 3;`,
    )
    .join('\n');
}
