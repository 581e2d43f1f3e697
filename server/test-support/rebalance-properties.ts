import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rebalance } from "../src/rebalance/rebalance.engine.ts";
import type { Band, RebalanceInput } from "../src/rebalance/rebalance.input.ts";
import { type GeneratedUnit, smallCommunity, syntheticUnits } from "../src/rebalance/rebalance.synthetic.ts";
import { gridsOf, propertyParameters } from "./rebalance.ts";

const band: Band = { min: 200, max: 300 };

/** The engine's result; an input it refuses throws, with the reasons. */
export function solve(input: RebalanceInput) {
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
export function feasibleByBruteForce(units: readonly GeneratedUnit[], k: number): boolean {
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
export function checkLocks({ seed, households, highrise, mode, lockEvery, lockGrid }: LockedCase) {
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

/** How many generated cases each property of the rebalancer tries (before GRIDATLAS_PROPERTY_RUNS multiplies them). */
export interface PropertyRuns {
  /** Small communities checked against brute force. */
  small: number;
  /** Of those, the ones no contiguous division fits. */
  infeasible: number;
  /** One or two communities of 700–2200 households with locked units and grids: about a second each. */
  locked: number;
  /** Seeds solved twice for determinism. */
  seeds: number;
}

/**
 * The rebalancer's properties. The unit test runs a small seeded sample of them (the first cases of the same
 * sequence) and rebalance.property.slow.test.ts the full runs, so that `npm run test:unit` stays quick.
 */
export function describeRebalanceProperties(runs: PropertyRuns): void {
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
        propertyParameters(runs.small),
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
        propertyParameters(runs.infeasible),
      );
    });
  });

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
        propertyParameters(runs.locked),
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
        propertyParameters(runs.seeds),
      );
    });
  });
}
