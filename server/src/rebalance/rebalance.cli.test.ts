import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { RebalanceResult } from "./rebalance.engine.ts";
import type { RebalanceUnit } from "./rebalance.input.ts";
import { syntheticUnits } from "./rebalance.synthetic.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-partition-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes units as the CLI reads them: a FeatureCollection with the unit's fields as properties. */
function unitsFile(
  name: string,
  units: readonly RebalanceUnit[],
  edit?: (f: Record<string, unknown>, i: number) => void,
): string {
  const features = units.map(({ geometry, ...properties }, i) => {
    const f: Record<string, unknown> = { type: "Feature", properties, geometry };
    edit?.(f, i);
    return f;
  });
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify({ type: "FeatureCollection", features }));
  return file;
}

/** `pnpm cli partition …` without the bootstrap: tsx on the CLI entry, as scripts/gridatlas.mjs runs it. */
function partition(...args: string[]) {
  const run = spawnSync(
    path.join(root, "node_modules/.bin/tsx"),
    [path.join(root, "server/src/cli.ts"), "partition", ...args],
    {
      encoding: "utf8",
      cwd: dir,
    },
  );
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("pnpm cli partition", () => {
  const units = syntheticUnits({ seed: 3, households: [1400] });

  it("writes the result as JSON and exits 0", () => {
    const out = path.join(dir, "result.json");
    const run = partition(
      "--units",
      unitsFile("units.geojson", units),
      "--mode",
      "repair",
      "--seed",
      "4",
      "--out",
      out,
    );
    expect(run.stderr).toContain("out of band");
    expect(run.code).toBe(0);
    const result = JSON.parse(fs.readFileSync(out, "utf8")) as RebalanceResult;
    expect(Object.keys(result.assignment).sort()).toEqual(units.map((u) => u.id).sort());
    expect(result.grids[0]).toMatchObject({ community: "150571003001", contiguous: true });
    expect(Object.keys(result.metrics)).toEqual(
      expect.arrayContaining([
        "out_of_band",
        "non_contiguous",
        "buildings_split",
        "compounds_split",
        "boundary_length_m",
        "boundary_on_roads_share",
        "households_moved",
        "seconds",
      ]),
    );
    expect(result.metrics.out_of_band).toBe(0);
    expect(result).toHaveProperty("explanations");
  });

  it("prints to standard output without --out and honours --grids, --min and --max", () => {
    const run = partition(
      "--units",
      unitsFile("units-k.geojson", units),
      "--grids",
      "5",
      "--min",
      "250",
      "--max",
      "350",
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RebalanceResult;
    expect(result.metrics.grids).toBe(5);
    expect(result.communities[0]!.band).toEqual({ min: 250, max: 350 });
  });

  it("names the offending units of bad input, exits 1 and writes nothing", () => {
    const file = unitsFile("bad.geojson", units.slice(0, 6), (f, i) => {
      const p = f.properties as Record<string, unknown>;
      if (i === 1) p.households = -5;
      if (i === 2) p.id = units[0]!.id;
      if (i === 3) delete p.id;
    });
    const out = path.join(dir, "never.json");
    const run = partition("--units", file, "--out", out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(units[1]!.id);
    expect(run.stderr).toContain("unit #4");
    expect(run.stderr).toContain("输入有误");
    expect(fs.existsSync(out)).toBe(false);
  });

  it("refuses a duplicate id, and a unit adjacent to nothing", () => {
    const far = {
      ...units[0]!,
      id: "far",
      geometry: {
        type: "Polygon" as const,
        coordinates: [
          [
            [123, 44],
            [123.001, 44],
            [123.001, 44.001],
            [123, 44.001],
            [123, 44],
          ],
        ],
      },
    };
    const duplicate = partition(
      "--units",
      unitsFile("duplicate.geojson", [...units.slice(0, 5), { ...units[1]!, id: units[2]!.id }]),
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain(`duplicate unit ids: ${units[2]!.id}`);
    const isolated = partition("--units", unitsFile("isolated.geojson", [...units.slice(0, 5), far]));
    expect(isolated.code).toBe(1);
    expect(isolated.stderr).toMatch(/share no boundary with any unit of their community.*: far/);
  });

  it("explains its options with --help and refuses bad arguments with exit 2", () => {
    const help = partition("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("block");
    expect(partition().code).toBe(2);
    expect(partition("--units", "x.geojson", "--mode", "sideways").code).toBe(2);
    expect(partition("--units", "x.geojson", "--min", "300", "--max", "200").code).toBe(2);
  });
});
