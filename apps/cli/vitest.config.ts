import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Test files in one worker share its database (see @ledgerflow/core/testing).
    isolate: false,
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["@ledgerflow/core/testing-global-setup"],
  },
});
