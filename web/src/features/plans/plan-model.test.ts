import { describe, expect, it } from "vitest";
import {
  colourGrids,
  expandToUnit,
  gridAdjacency,
  nextProblem,
  type ParcelInfo,
  parcelsInside,
  provenBound,
  splitUnits,
} from "./plan-model.ts";

/** A row of four parcels, 1–4 west to east; 1 and 2 are one building, 3 and 4 one compound. */
const parcels = new Map<number, ParcelInfo>(
  [1, 2, 3, 4].map((id) => [
    id,
    {
      id,
      households: 10 * id,
      building_id: id <= 2 ? 100 : null,
      compound_id: id >= 3 ? 7 : null,
      building_name: null,
      centre: [id, 0] as [number, number],
    },
  ]),
);
const edges = [
  { id: 1, a: 1, b: 2 },
  { id: 2, a: 2, b: 3 },
  { id: 3, a: 3, b: 4 },
];

describe("the editor's plan model", () => {
  it("finds which grids touch and colours neighbours apart", () => {
    const gridOf = new Map([
      [1, "A"],
      [2, "B"],
      [3, "C"],
      [4, "C"],
    ]);
    const adj = gridAdjacency(edges, gridOf);
    expect([...(adj.get("B") ?? [])].sort()).toEqual(["A", "C"]);
    const colours = colourGrids(["A", "B", "C"], adj);
    expect(colours.get("A")).not.toBe(colours.get("B"));
    expect(colours.get("B")).not.toBe(colours.get("C"));
  });

  it("keeps a grid's colour across an edit unless a neighbour now has it", () => {
    const adj = new Map([
      ["A", new Set(["B"])],
      ["B", new Set(["A"])],
    ]);
    expect(
      colourGrids(
        ["A", "B"],
        adj,
        new Map([
          ["A", 5],
          ["B", 2],
        ]),
      ),
    ).toEqual(
      new Map([
        ["A", 5],
        ["B", 2],
      ]),
    );
    const clash = colourGrids(
      ["A", "B"],
      adj,
      new Map([
        ["A", 3],
        ["B", 3],
      ]),
    );
    expect(clash.get("A")).toBe(3);
    expect(clash.get("B")).not.toBe(3);
  });

  it("grows a stroke to whole buildings or compounds", () => {
    expect(expandToUnit([2], "parcel", parcels)).toEqual([2]);
    expect(expandToUnit([2], "building", parcels).sort()).toEqual([1, 2]);
    expect(expandToUnit([3], "compound", parcels).sort()).toEqual([3, 4]);
    // A parcel of no building stays itself.
    expect(expandToUnit([3], "building", parcels)).toEqual([3]);
  });

  it("takes the parcels whose centre is inside a drawn shape", () => {
    const ring: [number, number][] = [
      [1.5, -1],
      [3.5, -1],
      [3.5, 1],
      [1.5, 1],
      [1.5, -1],
    ];
    expect(parcelsInside(ring, parcels.values()).sort()).toEqual([2, 3]);
  });

  it("lists the buildings split between grids", () => {
    const gridOf = new Map([
      [1, "A"],
      [2, "B"],
      [3, "B"],
      [4, "B"],
    ]);
    expect([...splitUnits(parcels.values(), gridOf, "building").keys()]).toEqual([100]);
    expect(splitUnits(parcels.values(), gridOf, "compound").size).toBe(0);
  });

  it("walks the grids with a problem in code order, wrapping around", () => {
    const g = (code: string, status: "under" | "ok" | "over", contiguous = true) => ({
      code,
      status,
      contiguous,
      buildings_split: 0,
      compounds_split: 0,
    });
    const grids = [g("001", "ok"), g("002", "under"), g("003", "ok", false), g("004", "ok")];
    expect(nextProblem(grids, null)).toBe("002");
    expect(nextProblem(grids, "002")).toBe("003");
    expect(nextProblem(grids, "003")).toBe("002");
    expect(nextProblem([g("001", "ok")], null)).toBeNull();
  });
});

describe("provenBound", () => {
  const grid = { community_code: "150571003001", band_min: 200, band_max: 300 };
  const rebalance = (summary: unknown, state = "done") => ({ action: "rebalance", state, summary });
  const limit = (bound: number | null, over: Record<string, unknown> = {}) =>
    rebalance({
      community: "150571003001",
      band: { min: 200, max: 300 },
      over_full: "split",
      metrics: { out_of_band_lower_bound: bound },
      ...over,
    });

  it("takes the newest rebalance of the community that proved a bound under its band", () => {
    const history = [
      { action: "assign", state: "done", summary: {} },
      limit(null),
      limit(3, { community: "150571003002" }),
      limit(4, { band: { min: 150, max: 300 } }),
      limit(5, {}),
      limit(6, {}),
    ];
    expect(provenBound(history, grid)).toEqual({ bound: 5, min: 200, max: 300, keepBuildings: false });
  });

  it("skips an undone rebalance and says when buildings over the maximum were kept whole", () => {
    expect(provenBound([{ ...limit(2), state: "undone" }], grid)).toBeNull();
    expect(provenBound([limit(2, { over_full: "keep" })], grid)?.keepBuildings).toBe(true);
    expect(
      provenBound([rebalance({ community: "150571003001", band: { min: 200, max: 300 }, metrics: {} })], grid),
    ).toBeNull();
  });
});
