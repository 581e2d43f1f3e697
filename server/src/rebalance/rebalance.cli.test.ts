import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { type UnitEdit, writeUnitsFile } from "../../test-support/rebalance.ts";
import { partitionCli } from "./rebalance.cli.ts";
import type { RebalanceResult } from "./rebalance.engine.ts";
import type { RebalanceUnit } from "./rebalance.input.ts";
import { syntheticUnits } from "./rebalance.synthetic.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-partition-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const unitsFile = (name: string, units: readonly RebalanceUnit[], edit?: UnitEdit) =>
  writeUnitsFile(path.join(dir, name), units, edit);

/**
 * `pnpm cli partition …` in this process, its standard output and error captured: a tsx process per call cost
 * seconds each. rebalance.cli.slow.test.ts runs the real command line once.
 */
async function partition(...args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const line =
    (to: string[]) =>
    (...parts: unknown[]) => {
      to.push(`${parts.join(" ")}\n`);
    };
  const spies = [
    vi.spyOn(console, "log").mockImplementation(line(stdout)),
    vi.spyOn(console, "error").mockImplementation(line(stderr)),
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    }),
  ];
  try {
    const code = await partitionCli(args);
    return { code, stdout: stdout.join(""), stderr: stderr.join("") };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe("pnpm cli partition", () => {
  const units = syntheticUnits({ seed: 3, households: [1400] });

  it("writes the result as JSON and exits 0", async () => {
    const out = path.join(dir, "result.json");
    const run = await partition(
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

  it("prints to standard output without --out and honours --grids, --min and --max", async () => {
    const run = await partition(
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

  it("proves the lower bound on grids out of band within --budget, and reports it in the metrics", async () => {
    const run = await partition("--units", unitsFile("units-b.geojson", units), "--budget", "2");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as RebalanceResult;
    expect(result.metrics.out_of_band_lower_bound).toBe(0);
    expect(result.communities[0]!.limit?.first_answer_seconds).toBeGreaterThan(0);
    expect(run.stderr).toContain("out_of_band_lower_bound 0");
    expect((await partition("--units", "x.geojson", "--budget", "-1")).code).toBe(2);
    expect((await partition("--units", "x.geojson", "--over-full", "maybe")).code).toBe(2);
  });

  it("names the offending units of bad input, exits 1 and writes nothing", async () => {
    const file = unitsFile("bad.geojson", units.slice(0, 6), (f, i) => {
      const p = f.properties as Record<string, unknown>;
      if (i === 1) p.households = -5;
      if (i === 2) p.id = units[0]!.id;
      if (i === 3) delete p.id;
    });
    const out = path.join(dir, "never.json");
    const run = await partition("--units", file, "--out", out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(units[1]!.id);
    expect(run.stderr).toContain("unit #4");
    expect(run.stderr).toContain("输入有误");
    expect(fs.existsSync(out)).toBe(false);
  });

  it("refuses a duplicate id, and a unit adjacent to nothing", async () => {
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
    const duplicate = await partition(
      "--units",
      unitsFile("duplicate.geojson", [...units.slice(0, 5), { ...units[1]!, id: units[2]!.id }]),
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain(`duplicate unit ids: ${units[2]!.id}`);
    const isolated = await partition("--units", unitsFile("isolated.geojson", [...units.slice(0, 5), far]));
    expect(isolated.code).toBe(1);
    expect(isolated.stderr).toMatch(/share no boundary with any unit of their community.*: far/);
  });

  it("explains its options with --help and refuses bad arguments with exit 2", async () => {
    const help = await partition("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("block");
    expect((await partition()).code).toBe(2);
    expect((await partition("--units", "x.geojson", "--mode", "sideways")).code).toBe(2);
    expect((await partition("--units", "x.geojson", "--min", "300", "--max", "200")).code).toBe(2);
  });
});
