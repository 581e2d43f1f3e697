import { describe, expect, it } from "vitest";
import { bruteForce } from "../../../test-support/coverage.ts";
import { chooseSites, coveredValue, rankChosen } from "./coverage.suggest.ts";

/** A small seeded generator, so that a failing case can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Candidate sites along a line of road pieces, each seeing a run of neighbouring pieces, as on a street. */
function streetInstance(seed: number, n: number, elements: number) {
  const r = rng(seed);
  const weights = Array.from({ length: elements }, () => Math.round(1 + r() * 30));
  const sets = Array.from({ length: n }, () => {
    const from = Math.floor(r() * elements);
    const len = 1 + Math.floor(r() * elements * 0.3);
    return Array.from({ length: Math.min(len, elements - from) }, (_, i) => from + i);
  });
  return { sets, weights };
}

describe("choosing camera sites (maximal covering)", () => {
  it("reaches the optimum on a case where greedy alone does not", () => {
    // Greedy takes the middle set (weight 6) first; the two outer sets together weigh 8.
    const weights = [1, 1, 1, 1, 1, 1, 1, 1];
    const sets = [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [1, 2, 3, 4, 5, 6],
    ];
    const choice = chooseSites(sets, weights, 2);
    expect(choice.greedy_value).toBe(7);
    expect(choice.value).toBe(8);
    expect(bruteForce(sets, weights, 2)).toBe(8);
    expect(choice.chosen.sort()).toEqual([0, 1]);
  });

  it("is within a few percent of brute force on 200 random street cases, and never below 1 − 1/e", () => {
    const ratios: number[] = [];
    for (let seed = 1; seed <= 200; seed++) {
      const { sets, weights } = streetInstance(seed, 14, 40);
      const k = 2 + (seed % 3);
      const best = bruteForce(sets, weights, k);
      const choice = chooseSites(sets, weights, k);
      expect(choice.value).toBeCloseTo(coveredValue(sets, weights, choice.chosen), 6);
      expect(choice.value).toBeLessThanOrEqual(best + 1e-9);
      expect(choice.value).toBeGreaterThanOrEqual((1 - 1 / Math.E) * best);
      ratios.push(choice.value / best);
    }
    const mean = ratios.reduce((s, x) => s + x, 0) / ratios.length;
    const optimal = ratios.filter((x) => x > 1 - 1e-9).length;
    expect(mean).toBeGreaterThan(0.99);
    expect(optimal).toBeGreaterThan(180);
  });

  it("stops before k when no site adds anything", () => {
    const choice = chooseSites([[0], [0], []], [5], 3);
    expect(choice.chosen).toHaveLength(1);
    expect(choice.value).toBe(5);
  });

  it("ranks the chosen sites by what each adds to those before it", () => {
    const weights = [3, 3, 3, 1];
    const sets = [[3], [0, 1, 2], [2, 3]];
    const ranked = rankChosen(sets, weights, [0, 1, 2]);
    expect(ranked.map((r) => r.set)).toEqual([1, 0, 2]);
    expect(ranked.map((r) => r.gain)).toEqual([9, 1, 0]);
  });
});
