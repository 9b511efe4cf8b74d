import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each test file starts its own anvil on its own port; two workers match the 2-core CI machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // The JSON report feeds scripts/test-summary.mjs, which prints the "N passed, N failed" line CI reads.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
