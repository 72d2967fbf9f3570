/** Finds the slowest scenario's slowest SQL statement and shows its plan with EXPLAIN ANALYZE. */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import type { Measurement } from './measure.js';

/** A Kysely instance the server uses, recording statements while `recording` is set. */
export interface QueryLog {
  db: Kysely<Database>;
  recording: boolean;
  statements: { sql: string; parameters: readonly unknown[]; durationMs: number }[];
}

/** Replays the scenario with the highest p95 once while recording, then explains its slowest statement. */
export async function explainSlowest(input: {
  baseUrl: string;
  measurements: readonly Measurement[];
  queryLog: QueryLog;
}): Promise<string> {
  const { queryLog } = input;
  const slowest = [...input.measurements].sort((a, b) => b.p95 - a.p95)[0];
  if (!slowest) return '';
  const path = slowest.scenario.paths[0]!;
  queryLog.statements = [];
  queryLog.recording = true;
  const response = await fetch(`${input.baseUrl}${path}`, {
    headers: { 'coder-session-token': slowest.scenario.token },
  });
  await response.arrayBuffer();
  queryLog.recording = false;
  const statement = [...queryLog.statements].sort((a, b) => b.durationMs - a.durationMs)[0];
  if (!statement) return '';
  const plan = await queryLog.db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, [...statement.parameters]),
  );
  return [
    `Slowest scenario: ${slowest.scenario.route} / ${slowest.scenario.name} (p95 ${slowest.p95.toFixed(1)} ms), ` +
      `\`GET ${path}\`; its slowest statement took ${statement.durationMs.toFixed(1)} ms of the request:`,
    '',
    '```sql',
    statement.sql.replace(/\n\s+/g, '\n  ').trim(),
    '```',
    '',
    `Parameters: \`${JSON.stringify(statement.parameters)}\``,
    '',
    '```',
    plan.rows.map((row) => row['QUERY PLAN']).join('\n'),
    '```',
  ].join('\n');
}
