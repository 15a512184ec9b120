import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Test files in one worker share its database (see @ledgerflow/core/testing).
    isolate: false,
    pool: "forks",
    maxWorkers: 2,
    // End-to-end tests start node for every command; on a busy machine that adds up.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    globalSetup: ["@ledgerflow/core/testing-global-setup", "./test/global-setup.ts"],
  },
});
