import { configDefaults, defineConfig } from "vitest/config";
import { DB_TESTS, E2E_TESTS, SLOW_TESTS, TEST_FILES } from "./tests/support/kinds.ts";

const TEMPLATE = "server/test-support/global-setup.ts";
/** Both kinds without a database refuse to connect to PostgreSQL. */
const NO_DATABASE = ["tests/support/unit-setup.ts"];

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
          exclude: [...configDefaults.exclude, ...DB_TESTS, ...E2E_TESTS, ...SLOW_TESTS],
          setupFiles: NO_DATABASE,
          // Pure tests share no state between files: threads start faster than processes, and one module graph per
          // worker spares loading the rebalancer and the demo generator again for every file.
          pool: "threads",
          isolate: false,
          // Transformed modules kept in node_modules/.experimental-vitest-cache, keyed by content: a second run
          // spends a fifth of the first one's transform time.
          experimental: { fsModuleCache: true },
        },
      },
      { extends: true, test: { name: "slow", include: SLOW_TESTS, setupFiles: NO_DATABASE } },
      { extends: true, test: { name: "db", include: DB_TESTS, globalSetup: [TEMPLATE] } },
      {
        extends: true,
        test: {
          name: "e2e",
          include: E2E_TESTS,
          globalSetup: [TEMPLATE],
          // expect.poll gives up after 1 s by default: far too soon for a page redrawn by software WebGL on two busy
          // cores (a language switch's text once took longer in a full run). Every poll without its own bound gets this.
          expect: { poll: { timeout: 30_000, interval: 100 } },
        },
      },
    ],
  },
});
