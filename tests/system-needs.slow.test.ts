import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * What each command installs through apt when it is missing. Printing is part of the app, so the README's start
 * command installs Chromium (it once did not, and prints answered 503 no_browser on a fresh machine); METIS and
 * poppler are for the tests and benchmarks only.
 */
const script = path.resolve(import.meta.dirname, "../scripts/gridatlas.mjs");
const needs = (command: string) =>
  execFileSync(process.execPath, [script, "needs", command], { encoding: "utf8" }).trim().split(" ");

describe("system packages by command", () => {
  it("npm start installs what the app uses at run time, printing included", () => {
    const start = needs("start");
    expect(start).toEqual(expect.arrayContaining(["chromium", "fonts-noto-cjk", "gdal-bin"]));
    expect(start).not.toContain("metis");
    expect(start).not.toContain("poppler-utils");
  });

  it("npm test and benchmarks add the test tools", () => {
    for (const command of ["test", "bench"]) {
      expect(needs(command)).toEqual(expect.arrayContaining(["chromium", "metis", "poppler-utils"]));
    }
  });
});
