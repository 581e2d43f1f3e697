import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeUnitsFile } from "../../test-support/rebalance.ts";
import type { RebalanceResult } from "./rebalance.engine.ts";
import { syntheticUnits } from "./rebalance.synthetic.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-partition-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `pnpm cli partition …` without the bootstrap: tsx on the CLI entry, as scripts/gridatlas.mjs runs it. */
function partition(...args: string[]) {
  const run = spawnSync(
    path.join(root, "node_modules/.bin/tsx"),
    [path.join(root, "server/src/cli.ts"), "partition", ...args],
    { encoding: "utf8", cwd: dir },
  );
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

// The options, the messages and the result are tested in-process (rebalance.cli.test.ts); this is the command line.
describe("pnpm cli partition, as a process", () => {
  const units = syntheticUnits({ seed: 3, households: [700] });

  it("writes the result to --out and exits 0", () => {
    const out = path.join(dir, "result.json");
    const run = partition("--units", writeUnitsFile(path.join(dir, "units.geojson"), units), "--out", out);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(fs.readFileSync(out, "utf8")) as RebalanceResult;
    expect(Object.keys(result.assignment).sort()).toEqual(units.map((u) => u.id).sort());
  });

  it("exits 1 on invalid units and 2 on bad arguments", () => {
    const bad = writeUnitsFile(path.join(dir, "bad.geojson"), units.slice(0, 3), (f, i) => {
      if (i === 1) (f.properties as Record<string, unknown>).households = -5;
    });
    expect(partition("--units", bad).code).toBe(1);
    expect(partition("--units", bad, "--mode", "sideways").code).toBe(2);
  });
});
