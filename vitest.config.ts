import { configDefaults, defineConfig } from "vitest/config";
import { DB_TESTS, E2E_TESTS, TEST_FILES } from "./tests/support/kinds.ts";

const TEMPLATE = "server/test-support/global-setup.ts";

export default defineConfig({
  test: {
    // Two cores: database suites and the browser compete for them.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: TEST_FILES,
          exclude: [...configDefaults.exclude, ...DB_TESTS, ...E2E_TESTS],
          setupFiles: ["tests/support/unit-setup.ts"],
        },
      },
      { extends: true, test: { name: "db", include: DB_TESTS, globalSetup: [TEMPLATE] } },
      { extends: true, test: { name: "e2e", include: E2E_TESTS, globalSetup: [TEMPLATE] } },
    ],
  },
});
