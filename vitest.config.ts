import { defineConfig } from 'vitest/config';

/**
 * Three tiers, each runnable alone (`npm run test:unit`, `test:int`, `test:e2e`); `vitest run`
 * runs them all. Unit specs sit beside the code and need neither dist/ nor a server; only the
 * tiers that run the CLI as a real child process build dist/ first.
 */
const buildDist = ['test/support/build.global-setup.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['**/*.unit.spec.ts'] } },
      { extends: true, test: { name: 'int', include: ['**/*.int.spec.ts'], globalSetup: buildDist } },
      { extends: true, test: { name: 'e2e', include: ['**/*.e2e.spec.ts'], globalSetup: buildDist } },
    ],
  },
});
