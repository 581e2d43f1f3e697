import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gridsOf, propertyParameters } from "../../test-support/rebalance.ts";
import { rebalance } from "./rebalance.engine.ts";
import type { Band, RebalanceInput } from "./rebalance.input.ts";
import { type GeneratedUnit, smallCommunity, syntheticUnits } from "./rebalance.synthetic.ts";

const band: Band = { min: 200, max: 300 };

function solve(input: RebalanceInput) {
  const outcome = rebalance(input);
  if (!outcome.ok) throw new Error(outcome.problems.map((p) => p.en).join("\n"));
  return outcome.result;
}

/**
 * Adjacency of the axis-parallel rectangles smallCommunity draws, worked out from their corners (not with the
 * engine's code): two rectangles are adjacent when they share a side along a stretch of positive length.
 */
function rectangleAdjacency(units: readonly GeneratedUnit[]): boolean[][] {
  const boxes = units.map((u) => {
    const ring = (u.geometry.coordinates as number[][][])[0]!;
    const xs = ring.map((p) => p[0]!);
    const ys = ring.map((p) => p[1]!);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as const;
  });
  const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.min(a1, b1) - Math.max(a0, b0) > 1e-12;
  return boxes.map((a) =>
    boxes.map(
      (b) =>
        a !== b &&
        (((a[2] === b[0] || b[2] === a[0]) && overlap(a[1], a[3], b[1], b[3])) ||
          ((a[3] === b[1] || b[3] === a[1]) && overlap(a[0], a[2], b[0], b[2]))),
    ),
  );
}

/** Every way to cut the units into exactly k non-empty groups, tried one by one: is one contiguous and in band? */
function feasibleByBruteForce(units: readonly GeneratedUnit[], k: number): boolean {
  const n = units.length;
  const adjacent = rectangleAdjacency(units);
  const labels = new Array<number>(n).fill(0);
  const contiguous = (label: number) => {
    const members = labels.flatMap((l, i) => (l === label ? [i] : []));
    const seen = new Set([members[0]!]);
    const queue = [members[0]!];
    while (queue.length) {
      const u = queue.pop()!;
      for (const v of members) if (!seen.has(v) && adjacent[u]![v]) seen.add(v) && queue.push(v);
    }
    return seen.size === members.length;
  };
  const check = () => {
    for (let label = 0; label < k; label++) {
      const hh = units.reduce((a, u, i) => a + (labels[i] === label ? u.households : 0), 0);
      if (hh < band.min || hh > band.max || !contiguous(label)) return false;
    }
    return true;
  };
  // Restricted growth strings: unit i takes a label at most one above the largest used before it.
  const rec = (i: number, used: number): boolean => {
    if (i === n) return used === k && check();
    for (let l = 0; l <= Math.min(used, k - 1); l++) {
      labels[i] = l;
      if (rec(i + 1, Math.max(used, l + 1))) return true;
    }
    return false;
  };
  return rec(0, 0);
}

const small = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  cells: fc.integer({ min: 4, max: 10 }),
  grids: fc.integer({ min: 2, max: 3 }),
  mode: fc.constantFrom("full" as const, "repair" as const),
});

describe("on small generated communities, checked against brute force", () => {
  it("meets the band whenever some contiguous division does, and keeps every grid contiguous", () => {
    fc.assert(
      fc.property(small, ({ seed, cells, grids, mode }) => {
        const units = smallCommunity(seed, cells, grids);
        const result = solve({ units, grids, seed, mode });
        expect(result.metrics.non_contiguous).toBe(0);
        expect(result.metrics.grids).toBe(grids);
        if (feasibleByBruteForce(units, grids)) expect(result.violations).toEqual([]);
      }),
      propertyParameters(300),
    );
  });

  it("recognises an infeasible band and explains it, listing the grids out of band", () => {
    fc.assert(
      fc.property(small, ({ seed, cells, grids, mode }) => {
        const units = smallCommunity(seed, cells, grids);
        fc.pre(!feasibleByBruteForce(units, grids));
        const result = solve({ units, grids, seed, mode });
        expect(result.metrics.out_of_band).toBeGreaterThan(0);
        expect(result.violations.length).toBeGreaterThan(0);
        const explained = result.explanations.filter((e) => e.severity !== "info");
        expect(explained.length).toBeGreaterThan(0);
        for (const e of explained) {
          expect(e.zh.length).toBeGreaterThan(0);
          expect(e.en).toMatch(/\d/);
        }
      }),
      propertyParameters(60),
    );
  });
});

interface LockedCase {
  seed: number;
  households: number[];
  highrise: boolean;
  mode: "full" | "repair";
  lockEvery: number;
  lockGrid: boolean;
}

/**
 * Solves a generated community with every lockEvery-th unit locked (and, with lockGrid, the grid of its middle
 * unit) and checks the locks, the communities and contiguity; returns the input and result for further checks.
 */
function checkLocks({ seed, households, highrise, mode, lockEvery, lockGrid }: LockedCase) {
  const generated = syntheticUnits({ seed, households, kind: highrise ? "highrise" : "mixed" });
  const units = generated.map((u, i) => ({ ...u, locked: i % lockEvery === 0 }));
  const lockedGrids = lockGrid ? [units[units.length >> 1]!.grid!] : [];
  const result = solve({ units, mode, seed, locked_grids: lockedGrids });
  expect(Object.keys(result.assignment)).toHaveLength(units.length);
  const communityOf = new Map(units.map((u) => [u.id, u.community]));
  for (const [grid, members] of gridsOf(result.assignment)) {
    expect(new Set(members.map((m) => communityOf.get(m))).size, `grid ${grid} crosses communities`).toBe(1);
  }
  for (const u of units) if (u.locked) expect(result.assignment[u.id], `locked unit ${u.id}`).toBe(u.grid);
  const before = gridsOf(Object.fromEntries(units.map((u) => [u.id, u.grid!])));
  const after = gridsOf(result.assignment);
  for (const id of lockedGrids) expect(after.get(id)!.sort()).toEqual(before.get(id)!.sort());
  // Grids in pieces can only be locked ones, or ones whose locked units do not touch.
  const explainedPieces = new Set(
    result.explanations.filter((e) => e.kind === "locked_units").flatMap((e) => e.grids ?? []),
  );
  for (const v of result.violations.filter((x) => x.kind === "non_contiguous")) {
    expect(lockedGrids.includes(v.grid) || explainedPieces.has(v.grid), `grid ${v.grid} in pieces`).toBe(true);
  }
  return { units, lockedGrids, result };
}

describe("on generated communities", () => {
  const community = fc.record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    households: fc.array(fc.integer({ min: 700, max: 2200 }), { minLength: 1, maxLength: 2 }),
    highrise: fc.boolean(),
    mode: fc.constantFrom("full" as const, "repair" as const),
    lockEvery: fc.integer({ min: 5, max: 40 }),
    lockGrid: fc.boolean(),
  });

  it("respects locked units and locked grids in both modes, and assigns every unit within its community", () => {
    fc.assert(
      fc.property(community, (c) => {
        checkLocks(c);
      }),
      propertyParameters(12),
    );
  });

  it("gives the same result for the same seed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom("full" as const, "repair" as const),
        (seed, mode) => {
          const units = syntheticUnits({ seed, households: [900] });
          expect(solve({ units, mode, seed }).assignment).toEqual(solve({ units, mode, seed }).assignment);
        },
      ),
      propertyParameters(6),
    );
  });
});

describe("counterexamples the properties found, kept as they were", () => {
  it("keeps the locked units of two grids apart in an area a locked grid cuts off (CI, fast-check seed 1550183792)", () => {
    // The locked grid 003 cuts off 32 units (266 households) holding locked units of grids 004 and 005. Full mode
    // gave that area one grid, as its households ask, and labelled it with one of the two: u162 went from 005 to 004.
    const { result } = checkLocks({
      seed: 742186,
      households: [883],
      highrise: false,
      mode: "full",
      lockEvery: 23,
      lockGrid: true,
    });
    expect(result.assignment["150571003001-u162"]).toBe("150571003001005");
    expect(result.assignment["150571003001-u139"]).toBe("150571003001004");
    // Two grids cannot both reach 200 households out of 266: said before the search, with the margin.
    const why = result.explanations.find((e) => e.kind === "locked_units" && e.severity === "error");
    expect(why?.en).toContain("150571003001004, 150571003001005");
    expect(why?.en).toContain("134 more than there are");
  });

  it("brings a grid between two grids that do not touch into the band in repair mode (GRIDATLAS_PROPERTY_SEED=1)", () => {
    // Grid 003 (302 households) lies between 001 and 002, which do not touch: pairs could not fix it and the
    // groups of three grids were only grown as paths from 003, which never took in both sides.
    const units = smallCommunity(999986, 10, 3);
    expect(feasibleByBruteForce(units, 3)).toBe(true);
    const result = solve({ units, grids: 3, seed: 999986, mode: "repair" });
    expect(result.violations).toEqual([]);
  });

  it("splits a grid that is one small compound to reach the requested count in repair mode (GRIDATLAS_PROPERTY_SEED=297)", () => {
    // Three of the four units are one building and one compound with 80 households, so at every level above
    // single units the grid was one node and no cut was found: repair returned 2 grids where 3 were asked.
    const units = smallCommunity(449794, 4, 3);
    const result = solve({ units, grids: 3, seed: 449794, mode: "repair" });
    expect(result.metrics.grids).toBe(3);
    expect(result.metrics.non_contiguous).toBe(0);
  });
});
