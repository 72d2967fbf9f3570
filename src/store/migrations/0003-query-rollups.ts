/**
 * Query API rollups and indexes, sized by `npm run bench:query` at 1M interceptions:
 * - `aibridge_interception_totals`: ended interceptions per initiator × provider × provider name × model ×
 *   client over all time, maintained beside the per-day counts (update-rollups.ts, purge-records.ts). An
 *   unbounded count sums a few thousand rows instead of every day's, and a long time range is counted as
 *   the total minus the days outside it.
 * - sessions list filters: client and start time (btree, index-only counts), models and provider names
 *   (GIN, for array containment). Providers have two values, too few for an index to help.
 * - session threads: the ended thread roots of a session in start order, so a page of threads in a
 *   session of thousands of interceptions reads only its own roots.
 */
export const queryRollups = `
CREATE TABLE aibridge_interception_totals (
  initiator_id uuid NOT NULL,
  provider text NOT NULL,
  provider_name text NOT NULL,
  model text NOT NULL,
  client text NOT NULL,
  interceptions bigint NOT NULL,
  PRIMARY KEY (initiator_id, provider, provider_name, model, client)
);
INSERT INTO aibridge_interception_totals (initiator_id, provider, provider_name, model, client, interceptions)
SELECT initiator_id, provider, provider_name, model, client, sum(interceptions)
FROM aibridge_interception_counts GROUP BY initiator_id, provider, provider_name, model, client;

CREATE INDEX aibridge_sessions_client ON aibridge_sessions (client);
CREATE INDEX aibridge_sessions_started ON aibridge_sessions (started_at);
CREATE INDEX aibridge_sessions_models ON aibridge_sessions USING gin (models);
CREATE INDEX aibridge_sessions_provider_names ON aibridge_sessions USING gin (provider_names);

CREATE INDEX aibridge_interceptions_session_roots ON aibridge_interceptions (session_key, initiator_id, started_at, id)
  WHERE thread_parent_id IS NULL AND ended_at IS NOT NULL;
`;
