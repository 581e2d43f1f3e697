import { type OutOfBandBound, outOfBandBound } from "./rebalance.bound.ts";
import {
  addNeighbourhood,
  bestCover,
  ColumnPool,
  compareExact,
  type ExactCost,
  exactCost,
  followOverFullRule,
  forcingUnits,
  gridsOf,
  gridWindow,
  labelGrids,
  type OverFullRule,
  unforcedOver,
} from "./rebalance.exact.ts";
import { type Explanation, explainAfterSearch } from "./rebalance.explain.ts";
import { bandDeviation } from "./rebalance.graph.ts";
import type { Partition } from "./rebalance.partition.ts";
import type { CommunityProblem } from "./rebalance.problem.ts";
import { explainBound } from "./rebalance.proof.ts";
import { createRandom, type Random } from "./rebalance.random.ts";
import { refine } from "./rebalance.refine.ts";
import { type CommunitySolution, QUICK_EFFORT, solveCommunity } from "./rebalance.solve.ts";
import { makePartition } from "./rebalance.start.ts";

export interface LimitOptions {
  /** Time for the whole community, the fast answer included. */
  budget_ms: number;
  over_full: OverFullRule;
  /** Polled between steps: true keeps the best found so far and stops. */
  shouldStop?: () => boolean;
  /** Share of the budget spent, 0…1. */
  onProgress?: (fraction: number) => void;
}

/** How the search at the limit went, for the plan's figures and the benchmark. */
export interface LimitReport {
  /** Seconds to the fast answer (the engine of issue 5), and in all. */
  first_answer_seconds: number;
  seconds: number;
  /** "improved" when the exact cover beat the fast answer; "skipped" with locked units or in repair mode. */
  status: "improved" | "unchanged" | "skipped" | "stopped";
  rounds: number;
  candidates: number;
  bound: OutOfBandBound;
  /** The fast answer alone, measured the same way (unforced over-full grids, out of band, building and compound pieces, boundary). */
  fast_cost: ExactCost;
  cost: ExactCost;
}

export interface LimitSolution extends CommunitySolution {
  report: LimitReport;
}

/**
 * Units of a window around one grid (issue 19): an exact cover of a few hundred units takes HiGHS a second, one of
 * the whole of an 800-parcel community tens of seconds. Windows give many small steps in the same time, and a stop
 * lands within one.
 */
const WINDOW_UNITS = 250;

/** Grids of the plan out of band. */
function outOfBandGrids(p: Partition): number[] {
  const out: number[] = [];
  for (let s = 0; s < p.slots; s++) if (p.slotSize[s]! > 0 && bandDeviation(p.slotHH[s]!, p.g.band) > 0) out.push(s);
  return out;
}

/** Where the next window goes: mostly around a grid out of band, else (a quarter of the time, or none left) any. */
function windowSeed(p: Partition, random: Random): number {
  const out = outOfBandGrids(p);
  return out.length > 0 && random.next() < 0.75 ? out[random.int(out.length)]! : p.part[random.int(p.g.n)]!;
}

const afterSearchKinds = new Set<Explanation["kind"]>(["not_found", "non_contiguous", "locked_units"]);

/**
 * A solution made to follow the over-full rule (issue 19): a grid may exceed the maximum only when a parcel (or,
 * keeping buildings whole, a building) too big for any grid forces it; from any other grid over the maximum, units
 * move to a neighbour with room or into a grid of their own ({@link followOverFullRule}). Locked units stay, and
 * grids holding them take no one. The fast answer alone follows it too, so no mode and no budget returns an
 * over-full grid that nothing forces — at the price, where nothing else fits, of a grid below the band; only a
 * grid count the planner fixed is kept even then, and the grid stays over, explained as not found.
 */
export function withOverFullRule(
  problem: CommunityProblem,
  solution: CommunitySolution,
  rule: OverFullRule,
): CommunitySolution {
  const g = problem.g;
  const forcing = forcingUnits(g, rule);
  const part = Int32Array.from(solution.part);
  if (unforcedOver(g, part, forcing).size === 0) return solution;
  // Locked units, and every unit of a locked grid, stay.
  const fixed = Uint8Array.from(problem.lockedUnit, (l, u) => (l || problem.lockedSlots.has(problem.orig[u]!) ? 1 : 0));
  const followed = followOverFullRule(g, part, forcing, fixed, problem.grids === undefined);
  const labelled = labelGrids(problem, followed, solution.part, solution.slotIds);
  const explanations = solution.explanations.filter((e) => !afterSearchKinds.has(e.kind));
  explainAfterSearch(problem, labelled.p, labelled.ids, explanations);
  return { ...solution, part: labelled.p.part, slotIds: labelled.ids, explanations };
}

/**
 * Solves one community as far as the budget allows: the fast answer ({@link solveCommunity}) first, the proven
 * lower bound on grids out of band, then rounds of exact cover (HiGHS) over candidate grids around the best plan,
 * each followed by boundary refinement: first of the whole community, then (in communities of more than
 * {@link WINDOW_UNITS} units) of windows around grids out of band, growing while they stop paying until a window
 * is the whole community again; there, rounds also take the grids of further fast answers (other seeds). Keeps the best
 * by {@link ExactCost}. With the same input and budget the result may differ between runs when the clock cuts a
 * round short; the fast answer alone is reproducible.
 */
export async function solveCommunityToLimit(problem: CommunityProblem, options: LimitOptions): Promise<LimitSolution> {
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  // The last fifth of the budget (at least a second) proves the lower bound.
  const boundShare = Math.max(1000, options.budget_ms / 5);
  const left = () => options.budget_ms - boundShare - elapsed();
  const stop = () => options.shouldStop?.() === true || left() <= 0;
  const progress = () => options.onProgress?.(Math.min(1, elapsed() / options.budget_ms));
  const fast = withOverFullRule(problem, solveCommunity(problem, QUICK_EFFORT), options.over_full);
  const first = elapsed() / 1000;
  progress();
  const g = problem.g;
  const forcing = forcingUnits(g, options.over_full);
  const fastP = makePartition(problem, fast.part, fast.slotIds.length);
  const fastCost = exactCost(fastP, forcing);
  let best: { p: Partition; ids: string[]; cost: ExactCost } = { p: fastP, ids: fast.slotIds, cost: fastCost };
  let status: LimitReport["status"] = "unchanged";
  let rounds = 0;
  let candidates = 0;
  const locked = problem.lockedUnit.some((x) => x === 1) || problem.lockedSlots.size > 0;
  if (problem.mode === "repair" || locked) status = "skipped";
  else {
    const pool = new ColumnPool(g, forcing);
    const random = createRandom(problem.seed);
    let seed = problem.seed;
    let stale = 0;
    // Candidates around the best plan are added again only when it has changed.
    let around: Int32Array | null = null;
    // Windows grow when they stop paying; one holding the whole community is the full cover.
    let windowUnits = Math.min(g.n, WINDOW_UNITS);
    consider(followOverFullRule(g, fast.part, forcing));
    while (!stop()) {
      rounds++;
      if (around !== best.p.part) {
        addNeighbourhood(pool, best.p.part);
        around = best.p.part;
      }
      // The first round covers the whole community: one exact cover of all of it makes the largest step.
      const whole = windowUnits >= g.n || rounds === 1;
      const window = whole ? undefined : gridWindow(g, best.p.part, windowSeed(best.p, random), windowUnits);
      // HiGHS cannot be interrupted: a round's time limit is also how long a stop may wait. Windows: 1 s and one
      // more per hundred units; the first whole cover of a large community, which windows follow, 10 s; whole
      // covers once the windows have grown to the community, 18 s.
      const seconds = whole
        ? Math.min((left() / 1000) * 0.6, windowUnits < g.n ? 10 : 18)
        : Math.min(left() / 1000, 1 + windowUnits / 100);
      const cover = await bestCover(pool, best.p.part, Math.max(0.2, seconds), problem.grids, window);
      candidates = pool.size;
      let improved = consider(cover.part);
      progress();
      if (windowUnits < g.n) {
        // A window is small: many are tried before it grows (as many as the plan has grids out of band, at least 8).
        stale = improved ? 0 : stale + 1;
        if (stale >= Math.max(8, outOfBandGrids(best.p).length)) {
          windowUnits = Math.min(g.n, Math.round(windowUnits * 1.5));
          stale = 0;
        }
        continue;
      }
      if (!improved && !stop()) {
        // Another fast answer from another seed: its grids join the candidates, and it may be better outright.
        seed = (seed * 48271 + 11) | 0;
        const other = solveCommunity({ ...problem, seed });
        for (const list of gridsOf(other.part)) pool.add(list);
        improved = consider(other.part);
        progress();
      }
      stale = improved ? 0 : stale + 1;
      if (stale >= 4) break;
    }
    if (options.shouldStop?.()) status = "stopped";
    else status = compareExact(best.cost, fastCost) < 0 ? "improved" : "unchanged";
  }

  function consider(part: Int32Array): boolean {
    const labelled = labelGrids(problem, part, fast.part, fast.slotIds);
    const polished = labelled.p.clone();
    refine(polished, 3);
    let candidate = { p: labelled.p, ids: labelled.ids, cost: exactCost(labelled.p, forcing) };
    const polishedCost = exactCost(polished, forcing);
    if (compareExact(polishedCost, candidate.cost) < 0)
      candidate = { p: polished, ids: labelled.ids, cost: polishedCost };
    if (compareExact(candidate.cost, best.cost) >= 0) return false;
    best = candidate;
    return true;
  }

  // A planner who pressed stop wants the plan now: the proof gets one second, and says so if that was too short.
  const boundSeconds = options.shouldStop?.()
    ? 1
    : Math.max(1, Math.min(boundShare, options.budget_ms - elapsed()) / 1000);
  const bound = await outOfBandBound(g, forcing, boundSeconds, best.p.part);
  const explanations = fast.explanations.filter((e) => !afterSearchKinds.has(e.kind));
  explainAfterSearch(problem, best.p, best.ids, explanations);
  explanations.push(...explainBound(problem, best.p, best.ids, bound, forcing, options.over_full));
  options.onProgress?.(1);
  return {
    part: best.p.part,
    slotIds: best.ids,
    explanations,
    feasibleGrids: fast.feasibleGrids,
    report: {
      first_answer_seconds: first,
      seconds: elapsed() / 1000,
      status,
      rounds,
      candidates,
      bound,
      fast_cost: fastCost,
      cost: best.cost,
    },
  };
}
