import { type Kysely, sql } from 'kysely';
import { usageByPeriodFromDays } from './migrations/0010-session-errors.js';
import type { Database } from './schema.js';

/**
 * Deletes records that started before the UTC day of `cutoff`, in chunks so no single statement holds
 * locks for long. Whole days go, so the per-day counts (and the totals) lose exactly the interceptions
 * deleted; sessions that ended before that day go with them (and their model rows). Returns the number of
 * interceptions deleted.
 */
export async function purgeRecords(db: Kysely<Database>, before: Date, chunk = 5000): Promise<number> {
  const cutoff = new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth(), before.getUTCDate()));
  let total = 0;
  for (;;) {
    const result = await sql`
      DELETE FROM aibridge_interceptions WHERE id IN (
        SELECT id FROM aibridge_interceptions WHERE started_at < ${cutoff} LIMIT ${chunk}
      )`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0);
    total += deleted;
    if (deleted < chunk) break;
  }
  // A session's model rows go with it (migration 0005), found through their primary key.
  await sql`
    WITH gone AS (
      DELETE FROM aibridge_sessions WHERE ended_at < ${cutoff} RETURNING initiator_id, session_key, models
    )
    DELETE FROM aibridge_session_models m USING gone g CROSS JOIN LATERAL unnest(g.models) AS u (model)
    WHERE m.model = u.model AND m.initiator_id = g.initiator_id AND m.session_key = g.session_key`.execute(
    db,
  );
  // The all-time totals lose what the deleted days counted, in the same statement.
  await sql`
    WITH gone AS (
      DELETE FROM aibridge_interception_counts WHERE day < (${cutoff}::timestamptz AT TIME ZONE 'UTC')::date
      RETURNING initiator_id, provider, provider_name, model, client, interceptions
    ), summed AS (
      SELECT initiator_id, provider, provider_name, model, client, sum(interceptions) AS interceptions
      FROM gone GROUP BY 1, 2, 3, 4, 5
    )
    UPDATE aibridge_interception_totals t SET interceptions = t.interceptions - s.interceptions FROM summed s
    WHERE t.initiator_id = s.initiator_id AND t.provider = s.provider AND t.provider_name = s.provider_name
      AND t.model = s.model AND t.client = s.client`.execute(db);
  await sql`DELETE FROM aibridge_interception_totals WHERE interceptions <= 0`.execute(db);
  await sql`DELETE FROM aibridge_usage_hourly WHERE hour < ${cutoff}`.execute(db);
  // A week or month that began before the cutoff keeps what its remaining days hold: deleted whole, then
  // summed again from those days, in one transaction so that readers never see it missing.
  await db.transaction().execute(async (transaction) => {
    await sql`DELETE FROM aibridge_usage_by_dimension WHERE bucket < ${cutoff}`.execute(transaction);
    const at = `'${cutoff.toISOString()}'::timestamptz`;
    const period = `date_trunc(g.granularity, d.bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
    await sql.raw(usageByPeriodFromDays(`d.bucket >= ${at} AND ${period} < ${at}`)).execute(transaction);
  });
  return total;
}
