/**
 * The kinds of tests, told apart by their names so a test's cost shows in its name:
 * - `*.e2e.test.ts` (in tests/e2e/) drive the built app in Debian's Chromium;
 * - `*.db.test.ts` need PostGIS: each takes a copy of the template database that the global setup builds;
 * - `*.slow.test.ts` need no database but take seconds: they start processes (tsx, GDAL's tools) or threads that
 *   load the TypeScript anew (the rebalancer's worker), or run the long property searches;
 * - every other `*.test.ts` is a unit test: pure and quick, no database, no browser, no process or thread of its own
 *   (`npm run test:unit` runs them alone, in about 10 s).
 */
export const TEST_FILES = ["{server,geodata,web}/src/**/*.test.{ts,tsx}", "tests/**/*.test.ts"];
export const E2E_TESTS = ["{server,geodata,web}/src/**/*.e2e.test.{ts,tsx}", "tests/**/*.e2e.test.ts"];
export const DB_TESTS = ["{server,geodata,web}/src/**/*.db.test.{ts,tsx}", "tests/**/*.db.test.ts"];
export const SLOW_TESTS = ["{server,geodata,web}/src/**/*.slow.test.{ts,tsx}", "tests/**/*.slow.test.ts"];
