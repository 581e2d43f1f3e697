import { describe, expect, it } from "vitest";
import {
  checkLocks,
  describeRebalanceProperties,
  feasibleByBruteForce,
  solve,
} from "../../test-support/rebalance-properties.ts";
import { smallCommunity } from "./rebalance.synthetic.ts";

// A small seeded sample; rebalance.property.slow.test.ts (in `npm test`) runs the same properties 6–12 times longer.
describeRebalanceProperties({ small: 40, infeasible: 10, locked: 1, seeds: 1 });

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
