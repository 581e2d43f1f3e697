import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

function testFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? [] : testFiles(rel);
    return /\.test\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

const files = ["server/src", "geodata/src", "web/src", "tests"].flatMap(testFiles);
const kindOf = (file: string) =>
  file.endsWith(".e2e.test.ts")
    ? "e2e"
    : /\.db\.test\.tsx?$/.test(file)
      ? "db"
      : /\.slow\.test\.tsx?$/.test(file)
        ? "slow"
        : "unit";
/** What only a test with a database (or a browser, which needs a server over one) imports. */
const NEEDS_DATABASE =
  /from "(pg|playwright-core|[^"]*test-support\/(test-database|test-session|test-app)\.ts|[^"]*support\/(server|browser|server-process|replica-pair)\.ts)"/;
/** What starts a process or a thread that loads TypeScript: seconds of start-up, or a system package. */
const STARTS_PROCESSES = /from "((node:)?(child_process|worker_threads)|[^"]*rebalance\.run\.ts)"/;
const source = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

describe("test kinds, by name (tests/support/kinds.ts)", () => {
  it("finds the tests of every package", () => {
    for (const dir of ["server/", "geodata/", "web/", "tests/e2e/"]) {
      expect(
        files.some((f) => f.startsWith(dir)),
        dir,
      ).toBe(true);
    }
  });

  it("unit and slow tests import nothing that reaches PostgreSQL or the browser", () => {
    const misfiled = files.filter((f) => ["unit", "slow"].includes(kindOf(f)) && NEEDS_DATABASE.test(source(f)));
    expect(misfiled, "name these *.db.test.ts").toEqual([]);
  });

  it("unit tests start no process or worker thread (tsx, GDAL, the rebalancer's worker): that takes seconds", () => {
    const misfiled = files.filter((f) => kindOf(f) === "unit" && STARTS_PROCESSES.test(source(f)));
    expect(misfiled, "name these *.slow.test.ts").toEqual([]);
  });

  it("database tests use the database", () => {
    const pure = files.filter((f) => kindOf(f) === "db" && !NEEDS_DATABASE.test(source(f)));
    expect(pure, "these need no database: drop the .db. from their names").toEqual([]);
  });

  it("browser tests live in tests/e2e and nothing else does", () => {
    const astray = files.filter((f) => (kindOf(f) === "e2e") !== f.startsWith("tests/e2e/"));
    expect(astray).toEqual([]);
  });
});
