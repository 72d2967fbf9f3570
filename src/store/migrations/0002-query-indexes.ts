/**
 * Indexes for the query API, sized by `npm run bench:query`:
 * - models and clients lists: skip scans over the per-day counts under the "C" collation (see
 *   query-distinct-values.ts), for everyone and per initiator;
 */
export const queryIndexes = `
CREATE INDEX aibridge_interception_counts_model ON aibridge_interception_counts (model COLLATE "C");
CREATE INDEX aibridge_interception_counts_client ON aibridge_interception_counts (client COLLATE "C");
CREATE INDEX aibridge_interception_counts_initiator_model
  ON aibridge_interception_counts (initiator_id, model COLLATE "C");
CREATE INDEX aibridge_interception_counts_initiator_client
  ON aibridge_interception_counts (initiator_id, client COLLATE "C");
`;
