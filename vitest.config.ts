import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // BF_SANDBOX=none starts no server: only the unit set runs (an integration file would find none).
    include: process.env.BF_SANDBOX === 'none' ? ['test/unit/**/*.test.ts'] : ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    // Each file removes the temp directories it made (test/support/temp.ts).
    setupFiles: ['test/setup/temp-dirs.ts'],
    // One shared primary + replica: test files take turns.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
