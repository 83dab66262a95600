import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Compiles the CLI once for the tests that run it as a real child process.
    globalSetup: ['test/support/build.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
