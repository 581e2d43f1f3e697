import { describe, expect, it } from "vitest";
import { gridsOf, squares } from "../../test-support/rebalance.ts";
import { measureCommunity, type PreparedCommunity, prepareRebalance, rebalance } from "./rebalance.engine.ts";
import { buildAdjacency, projectionFor } from "./rebalance.geometry.ts";
import type { RebalanceInput } from "./rebalance.input.ts";
import { syntheticUnits } from "./rebalance.synthetic.ts";

function solve(input: RebalanceInput) {
  const outcome = rebalance(input);
  if (!outcome.ok) throw new Error(outcome.problems.map((p) => p.en).join("\n"));
  return outcome.result;
}

function problems(input: RebalanceInput) {
  const outcome = rebalance(input);
  if (outcome.ok) throw new Error("expected the input to be refused");
  return outcome.problems;
}

describe("a synthetic community of slabs, towers and old courtyards", () => {
  const units = syntheticUnits({ seed: 11, households: [2600] });
  // A full redraw of 2600 households takes a second or more on a busy machine: solved once for the tests that read it.
  let redrawn: ReturnType<typeof solve> | undefined;
  const redraw = () => {
    redrawn ??= solve({ units, mode: "full", seed: 1 });
    return redrawn;
  };

  it("is divided into contiguous grids within the band, splitting far fewer buildings than the current plan", () => {
    const result = redraw();
    expect(result.metrics.out_of_band).toBe(0);
    expect(result.metrics.non_contiguous).toBe(0);
    expect(result.violations).toEqual([]);
    const split = (gridOf: (id: string) => string) => {
      const grids = new Map<string, Set<string>>();
      for (const u of units)
        if (u.building) grids.set(u.building, (grids.get(u.building) ?? new Set()).add(gridOf(u.id)));
      return [...grids.values()].filter((g) => g.size > 1).length;
    };
    const current = new Map(units.map((u) => [u.id, u.grid]));
    expect(split((id) => result.assignment[id]!)).toBe(result.metrics.buildings_split);
    expect(result.metrics.buildings_split).toBeLessThan(split((id) => current.get(id)!) / 2);
    for (const grid of result.grids) expect(grid.households).toBeGreaterThanOrEqual(200);
    expect(Object.keys(result.assignment)).toHaveLength(units.length);
  });

  it("gives the same result for the same seed", () => {
    expect(solve({ units, mode: "full", seed: 1 }).assignment).toEqual(redraw().assignment);
  });

  it("repairs the current plan moving fewer households than a full redraw, and keeps locked grids", () => {
    const prepared = prepareRebalance({ units });
    if (!prepared.ok) throw new Error("refused");
    const [{ problem, origIds }] = prepared.prepared.communities as [PreparedCommunity];
    const current = measureCommunity(problem.g, origIds as string[], origIds).grids;
    const locked = current
      .filter((g) => g.contiguous)
      .map((g) => g.id)
      .slice(0, 2);
    const full = redraw();
    const repair = solve({ units, mode: "repair", seed: 1, locked_grids: locked });
    expect(repair.metrics.non_contiguous).toBe(0);
    expect(repair.metrics.households_moved).toBeLessThan(full.metrics.households_moved);
    for (const u of units) {
      if (locked.includes(u.grid!)) expect(repair.assignment[u.id]).toBe(u.grid);
    }
    const before = gridsOf(Object.fromEntries(units.map((u) => [u.id, u.grid!])));
    const after = gridsOf(repair.assignment);
    for (const id of locked) expect(after.get(id)!.sort()).toEqual(before.get(id)!.sort());
  });

  it("keeps locked units in their grid", () => {
    const lockedUnits = units.filter((_, i) => i % 17 === 0).map((u) => ({ ...u, locked: true }));
    const ids = new Set(lockedUnits.map((u) => u.id));
    const input = units.map((u) => (ids.has(u.id) ? { ...u, locked: true } : u));
    for (const mode of ["full", "repair"] as const) {
      const result = solve({ units: input, mode, seed: 3 });
      for (const u of lockedUnits) expect(result.assignment[u.id]).toBe(u.grid);
    }
  });

  it("reports metrics and per-grid figures", () => {
    const result = redraw();
    expect(result.metrics.grids).toBe(result.grids.length);
    expect(result.metrics.boundary_length_m).toBeGreaterThan(0);
    expect(result.metrics.boundary_on_roads_share).toBeGreaterThan(0);
    expect(result.metrics.boundary_on_roads_share).toBeLessThanOrEqual(1);
    for (const g of result.grids) {
      expect(g).toMatchObject({ community: "150571003001", contiguous: true, status: "ok", locked: false });
      expect(g.boundary_on_roads_share).toBeGreaterThan(0);
    }
  });
});

describe("a compound larger than the band", () => {
  it("is split into as few grids as its households need, along building lines", () => {
    // One compound of 4 × 3 squares of 50 households (600): two grids of 300, or three of 200.
    const units = squares(
      [
        [50, 50, 50, 50],
        [50, 50, 50, 50],
        [50, 50, 50, 50],
      ],
      { compound: () => "estate" },
    );
    const result = solve({ units, grids: 2 });
    expect(result.metrics).toMatchObject({ out_of_band: 0, non_contiguous: 0, compounds_split: 1 });
    expect(result.explanations.map((e) => e.kind)).toContain("oversized_compound");
  });
});

describe("explanations when the band cannot be met", () => {
  it("says when no number of grids fits the total, with the margins", () => {
    const result = solve({ units: squares([[100, 100, 150]]) });
    const e = result.explanations.find((x) => x.kind === "band_infeasible")!;
    expect(e.en).toBe(
      "community 150571003001 has 350 households: 1 grid would average 350, 50 above the maximum; 2 grids would average 175, 25 below the minimum, so the 200–300 band cannot be met",
    );
    expect(e.zh).toContain("共 350 户");
    expect(result.violations).toHaveLength(1);
  });

  it("names a unit that alone exceeds the maximum", () => {
    const result = solve({ units: squares([[340, 60, 200, 150, 60]]) });
    const e = result.explanations.find((x) => x.kind === "oversized_unit")!;
    expect(e.units).toEqual(["r0c0"]);
    expect(e.en).toContain("340 households, 40 above the maximum");
  });

  it("names an island whose households cannot be cut into grids of the band", () => {
    // Two blocks of squares that do not touch: the left one holds 350 households.
    const left = squares([[150, 200]]);
    const right = squares([[150, 150, 150, 150]]).map((u) => ({
      ...u,
      id: `x${u.id}`,
      geometry: {
        ...u.geometry,
        coordinates: (u.geometry.coordinates as number[][][]).map((ring) => ring.map(([x, y]) => [x! + 0.01, y!])),
      },
    }));
    const result = solve({ units: [...left, ...right] as RebalanceInput["units"] });
    const e = result.explanations.find((x) => x.kind === "island")!;
    expect(e.units!.sort()).toEqual(["r0c0", "r0c1"]);
    expect(e.en).toContain("350 households sit on their own with no neighbour to share them");
  });

  it("says when the units' households cannot be grouped into the band, however drawn", () => {
    const result = solve({ units: squares([[170, 170, 170]]) });
    expect(result.explanations.map((e) => e.kind)).toContain("packing");
  });

  it("names a unit whose neighbours all take it over the band", () => {
    const result = solve({ units: squares([[180, 180, 180, 20, 190]]) });
    const stuck = result.explanations.filter((x) => x.kind === "unit_stuck").flatMap((x) => x.units ?? []);
    expect(stuck).toContain("r0c0");
  });

  it("explains a requested number of grids that cannot fit", () => {
    const result = solve({ units: squares([[100, 100, 100, 100, 100, 100]]), grids: 4 });
    const e = result.explanations.find((x) => x.kind === "grid_count")!;
    expect(e.en).toContain("the requested 4 grids would average 150, 50 below the minimum; 2 to 3 grids fit");
  });
});

describe("adjacency given as edges (the database's parcel_edge)", () => {
  const units = syntheticUnits({ seed: 31, households: [1500] });
  const projection = projectionFor(units.map((u) => u.geometry));
  const edges = buildAdjacency(
    units.map((u) => u.geometry),
    projection,
  ).pairs.map((p) => ({
    a: units[p.a]!.id,
    b: units[p.b]!.id,
    length_m: p.length_m,
    on_road: units[p.a]!.block !== units[p.b]!.block,
  }));

  it("gives the result the polygons give", () => {
    const fromPolygons = solve({ units, seed: 5 });
    const fromEdges = solve({ units, edges, seed: 5 });
    expect(fromEdges.assignment).toEqual(fromPolygons.assignment);
    expect(fromEdges.metrics.boundary_on_roads_share).toBe(fromPolygons.metrics.boundary_on_roads_share);
  });

  it("needs no polygons", () => {
    const bare = units.map(({ geometry: _, ...u }) => ({ ...u, outer_m: 0, area_m2: 100 }));
    const result = solve({ units: bare, edges, seed: 5 });
    expect(result.metrics).toMatchObject({ out_of_band: 0, non_contiguous: 0 });
    expect(result.grids[0]!.area_m2).toBeGreaterThan(0);
  });

  it("names edges to units that are not there, and units with neither polygon nor edges", () => {
    const bare = units.slice(0, 3).map(({ geometry: _, ...u }) => u);
    expect(problems({ units: bare, edges: [{ a: bare[0]!.id, b: "ghost", length_m: 3 }] })[0]).toMatchObject({
      kind: "unknown_edge_unit",
      units: ["ghost"],
    });
    expect(problems({ units: bare })[0]).toMatchObject({ kind: "invalid_geometry" });
  });
});

describe("bad input", () => {
  const ok = squares([[100, 150]]);

  it("names duplicate ids", () => {
    const [p] = problems({ units: [ok[0]!, { ...ok[1]!, id: ok[0]!.id }] });
    expect(p).toMatchObject({ kind: "duplicate_id", units: ["r0c0"] });
  });

  it("names units with missing ids or negative or fractional households", () => {
    const found = problems({
      units: [
        { ...ok[0]!, households: -3 },
        { ...ok[1]!, households: 2.5 },
        { ...ok[1]!, id: undefined as unknown as string },
      ],
    });
    expect(found.map((p) => p.units)).toEqual([["r0c0"], ["r0c1"], []]);
    expect(found[2]!.en).toContain("unit #3");
  });

  it("names invalid polygons", () => {
    const bad = {
      ...ok[1]!,
      geometry: {
        type: "Polygon" as const,
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
    };
    const [p] = problems({ units: [ok[0]!, bad] });
    expect(p).toMatchObject({ kind: "invalid_geometry", units: ["r0c1"] });
  });

  it("names a unit adjacent to nothing in its community", () => {
    const far = squares([[100]]).map((u) => ({
      ...u,
      id: "far",
      geometry: {
        ...u.geometry,
        coordinates: (u.geometry.coordinates as number[][][]).map((ring) => ring.map(([x, y]) => [x! + 1, y!])),
      },
    }));
    const [p] = problems({ units: [...ok, ...far] as RebalanceInput["units"] });
    expect(p).toMatchObject({ kind: "isolated_unit", units: ["far"] });
    expect(p!.zh).toContain("没有共同边界");
  });

  it("refuses a locked unit without a grid and an unknown locked grid", () => {
    const found = problems({ units: [{ ...ok[0]!, locked: true }, ok[1]!], locked_grids: ["nope"] });
    expect(found.map((p) => p.kind)).toEqual(["locked_without_grid", "unknown_locked_grid"]);
  });
});
