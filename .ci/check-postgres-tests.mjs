// Reads vitest's JSON report and fails unless PostgreSQL tests ran and passed, one for each PGlite test
// of the same suite (store tests run on both engines; a missing twin means a PostgreSQL test did not run).
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const tally = new Map();
let postgres = 0;
const problems = [];
for (const file of report.testResults) {
  for (const test of file.assertionResults) {
    const suite = test.ancestorTitles.find((title) => /\[(pglite|postgres)\]$/.test(title));
    if (!suite) continue;
    const engine = suite.endsWith('[postgres]') ? 'postgres' : 'pglite';
    const key = `${file.name} :: ${suite.replace(/ \[(pglite|postgres)\]$/, '')} :: ${test.title}`;
    const entry = tally.get(key) ?? {};
    entry[engine] = test.status;
    tally.set(key, entry);
    if (engine === 'postgres') {
      postgres += 1;
      if (test.status !== 'passed') problems.push(`${key}: ${test.status} on PostgreSQL`);
    }
  }
}
for (const [key, entry] of tally) {
  if (entry.pglite && !entry.postgres) problems.push(`${key}: ran on PGlite but not on PostgreSQL`);
}
if (postgres === 0) problems.push('no PostgreSQL test ran');
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${postgres} PostgreSQL tests ran and passed`);
