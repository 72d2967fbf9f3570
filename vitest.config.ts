import { defineConfig } from 'vitest/config';

// CI sets AIBRIDGE_TEST_REPORT to a path: a JSON report is written there so .ci/run can check that every
// PostgreSQL test ran.
const report = process.env.AIBRIDGE_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
});
