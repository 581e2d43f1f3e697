import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{server,geodata,web}/src/**/*.test.{ts,tsx}", "tests/**/*.test.ts"],
    globalSetup: ["server/test-support/global-setup.ts"],
    // Two cores: database suites and the browser compete for them.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
