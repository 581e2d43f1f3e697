import { communityNames, type Explanation, explainAfterSearch, explainBeforeSearch } from "./rebalance.explain.ts";
import { bandDeviation, components, gridRange } from "./rebalance.graph.ts";
import { type Cost, compareCost, type Partition } from "./rebalance.partition.ts";
import { anchoredSlots, type CommunityProblem } from "./rebalance.problem.ts";
import { createRandom, type Random, shuffle } from "./rebalance.random.ts";
import { refine } from "./rebalance.refine.ts";
import { resplitMany, resplitPair } from "./rebalance.search.ts";
import { fullStart, repairStart } from "./rebalance.start.ts";

export interface CommunitySolution {
  part: Int32Array;
  /** Grid id of every slot (slots with no unit are not grids). */
  slotIds: string[];
  explanations: Explanation[];
  /** The grid counts whose average fits the band, null when none does. */
  feasibleGrids: { min: number; max: number } | null;
}

/**
 * Effort per community: rounds of merge-and-split over all adjacent pairs, each followed by boundary refinement;
 * a round that improves nothing ends the search. Fixed counts (never the clock) keep a seed's result reproducible.
 */
const maxRounds = 30;
const probeRounds = 3;
const pairTrees = 5;
const troubledPairTrees = 24;
/** Groups of up to this many grids, at most `chainTries` of them per grid out of band, each divided `chainAttempts` times. */
const maxChain = 4;
const chainTries = 3;
const chainAttempts = 2;
/**
 * Iterated local search: up to `kicks` times, a building (else a compound) that fits one grid but lies in two is
 * forced whole into one of them, the search repairs the band around it for at most `kickRounds` rounds, and the
 * result is kept if it is better.
 */
const kicks = 4;
const kickRounds = 5;

/** How hard {@link solveCommunity} tries: rounds of improvement and kicks of the iterated local search. */
export interface Effort {
  rounds: number;
  kicks: number;
}
export const FULL_EFFORT: Effort = { rounds: maxRounds, kicks };
/**
 * The first answer of the search to the limit, which improves on it anyway (issue 19: 800 parcels answered within
 * two seconds). Rounds past ten rarely change anything; each kick costs about a fifth of a second there, and the
 * first one gains most. Towers of 775 parcels: 1.6 s and 28 grids out of band, against 2.3 s and 28 at full effort.
 */
export const QUICK_EFFORT: Effort = { rounds: 10, kicks: 1 };

/**
 * Solves one community: full redistricting or repair of its current grids, then explains what falls short.
 *
 * 1. Necessary conditions are checked first and explained (totals against the band and the number of grids,
 *    units bigger than a grid, islands, groups of units that cannot add up to the band, locked grids).
 * 2. Start: in full mode, recursive bisection of each connected area along random spanning trees of "super-units"
 *    (whole blocks, else compounds, else buildings that fit one grid; coarsened by matching for the first cuts),
 *    or every division when the area is tiny; in repair mode, the current grids cut down to their main piece,
 *    stray pieces given to a neighbour, grids merged or split to the target count.
 * 3. Improvement, by the lexicographic {@link Cost}: merge-and-split of adjacent pairs (ReCom-style, best tree cut
 *    of several contraction levels, every division for small pairs), chains of grids for grids out of band, three
 *    grids around a split building or compound, and greedy boundary moves of units, buildings and compounds.
 * 4. Iterated local search: a split building or compound forced whole, the search repairing around it.
 */
export function solveCommunity(problem: CommunityProblem, effort: Effort = FULL_EFFORT): CommunitySolution {
  const { g, mode, orig, lockedSlots } = problem;
  const random = createRandom(problem.seed);
  const explanations: Explanation[] = [];
  const names = communityNames(g.community);
  const band = g.band;
  const isFree = (u: number) => !(orig[u]! >= 0 && lockedSlots.has(orig[u]!));
  const freeComps = components(g, isFree);
  let total = 0;
  let freeTotal = 0;
  for (let u = 0; u < g.n; u++) {
    total += g.hh[u]!;
    if (isFree(u)) freeTotal += g.hh[u]!;
  }
  const range = gridRange(total, band);
  const feasibleGrids = range.lo <= range.hi ? { min: range.lo, max: range.hi } : null;
  const lockedInUse = new Set<number>();
  for (let u = 0; u < g.n; u++) if (!isFree(u)) lockedInUse.add(orig[u]!);
  // Locked units of different grids never share a grid, so a free area needs a grid of its own for every grid
  // whose locked units it holds, and at least one. (An area cut off by locked grids once got a single grid for
  // the locked units of two, and one of them silently changed grid.)
  const leastGrids = freeComps.map((comp) => Math.max(1, anchoredSlots(problem, comp).size));
  const leastFree = leastGrids.reduce((a, b) => a + b, 0);

  explainBeforeSearch(problem, freeComps, total, explanations);

  const currentFree = new Set<number>();
  for (let u = 0; u < g.n; u++) if (isFree(u) && orig[u]! >= 0) currentFree.add(orig[u]!);
  const freeRange = gridRange(freeTotal, band);
  const clampFree = (k: number) =>
    Math.max(leastFree, freeRange.lo <= freeRange.hi ? Math.min(freeRange.hi, Math.max(freeRange.lo, k)) : k);
  let targets: number[];
  if (problem.grids !== undefined) {
    const want = problem.grids - lockedInUse.size;
    if (want < leastFree) {
      const apart =
        leastFree > freeComps.length
          ? {
              zh: `，且不同网格的锁定单元不能同在一个网格，共需至少 ${leastFree} 个网格`,
              en: `, and locked units of different grids never share one: at least ${leastFree} grids are needed`,
            }
          : { zh: "", en: "" };
      explanations.push({
        community: g.community,
        kind: "grid_count",
        severity: "error",
        zh: `${names.zh}：要求 ${problem.grids} 个网格，但锁定网格 ${lockedInUse.size} 个之外还有 ${freeComps.length} 片互不相连的区域，每片至少需要一个网格${apart.zh}`,
        en: `${names.en}: ${problem.grids} grids were requested, but besides the ${lockedInUse.size} locked grids there are ${freeComps.length} separate areas, each needing a grid of its own${apart.en}`,
      });
    }
    targets = [Math.max(leastFree, want)];
  } else {
    // Repair keeps the number of grids unless it cannot fit the band; full mode aims at the band's middle.
    const mid = (band.min + band.max) / 2;
    const k0 =
      mode === "repair" && currentFree.size > 0
        ? clampFree(currentFree.size)
        : clampFree(Math.max(1, Math.round(freeTotal / Math.max(1, mid))));
    targets = [k0];
    for (const k of [k0 + 1, k0 - 1]) if (k >= Math.max(1, leastFree) && clampFree(k) === k) targets.push(k);
  }

  // Other grid counts are tried only when the first leaves grids out of band, briefly, and the best goes on.
  let best: { p: Partition; cost: Cost; ids: string[] } | null = null;
  for (let i = 0; i < targets.length; i++) {
    if (best && best.cost[0] === 0) break;
    const k = targets[i]!;
    const attempt =
      mode === "repair"
        ? repairStart(problem, freeComps, k, random)
        : fullStart(problem, freeComps, leastGrids, k, random);
    improve(attempt.p, random, targets.length > 1 ? Math.min(probeRounds, effort.rounds) : effort.rounds, newMemo());
    const cost = attempt.p.cost();
    if (!best || compareCost(cost, best.cost) < 0) best = { p: attempt.p, cost, ids: attempt.ids };
  }
  const memo = newMemo();
  if (targets.length > 1) improve(best!.p, random, effort.rounds, memo);
  let p = best!.p;
  for (let k = 0; k < effort.kicks; k++) {
    const trial = p.clone();
    if (!kick(trial, random)) break;
    improve(trial, random, kickRounds, memo);
    if (compareCost(trial.cost(), p.cost()) < 0) p = trial;
  }
  explainAfterSearch(problem, p, best!.ids, explanations);
  return { part: p.part, slotIds: best!.ids, explanations, feasibleGrids };
}

/**
 * Merge-and-split rounds over adjacent pairs (grids out of band first, pairs unchanged since their last try
 * skipped), chains of grids for grids the pairs could not bring into the band, then boundary refinement. Stops when
 * a round changes no tier above the boundary and shortens the weighted boundary by less than 0.2%.
 */
function improve(p: Partition, random: Random, rounds: number, memo: Memo): void {
  const tried = memo.tried;
  for (let round = 0; round < rounds; round++) {
    const before = p.cost();
    const pairs = adjacentPairs(p);
    const trouble = (s: number) => bandDeviation(p.slotHH[s]!, p.g.band) > 0;
    shuffle(pairs, random);
    pairs.sort((x, y) => Number(trouble(y[0]) || trouble(y[1])) - Number(trouble(x[0]) || trouble(x[1])));
    for (const [s, t] of pairs) {
      if (p.slotSize[s] === 0 || p.slotSize[t] === 0) continue;
      const key = `${s},${t}`;
      if (tried.get(key) === versions(p, [s, t])) continue;
      const trees = trouble(s) || trouble(t) ? troubledPairTrees : pairTrees;
      resplitPair(p, s, t, random, trees);
      tried.set(key, versions(p, [s, t]));
    }
    if (p.cost()[0] > 0) chains(p, random);
    else splitTriples(p, random, tried);
    refine(p, 3, memo.refined);
    memo.refined = Int32Array.from(p.slotVersion);
    const after = p.cost();
    const upperSame = before.slice(0, 5).every((x, i) => x === after[i]);
    if (upperSame && before[5] - after[5] <= 0.002 * before[5]) break;
  }
}

/**
 * What the search has tried on which state of the grids (slot versions), so that places that have not changed
 * since are not searched again — also across the trial copies of iterated local search, which keep the versions.
 */
interface Memo {
  tried: Map<string, string>;
  refined: Int32Array | null;
}

function newMemo(): Memo {
  return { tried: new Map(), refined: null };
}

function versions(p: Partition, slots: readonly number[]): string {
  return slots.map((s) => p.slotVersion[s]).join(",");
}

/** Pairs of adjacent unlocked grids. */
/** Each grid's neighbouring grids, from `adjacentPairs`; a grid with none is absent. */
function neighbourSets(p: Partition): Map<number, Set<number>> {
  const neighbours = new Map<number, Set<number>>();
  for (const [s, t] of adjacentPairs(p)) {
    if (!neighbours.has(s)) neighbours.set(s, new Set());
    if (!neighbours.has(t)) neighbours.set(t, new Set());
    neighbours.get(s)!.add(t);
    neighbours.get(t)!.add(s);
  }
  return neighbours;
}

function adjacentPairs(p: Partition): [number, number][] {
  const g = p.g;
  const seen = new Set<number>();
  const out: [number, number][] = [];
  for (let u = 0; u < g.n; u++) {
    const s = p.part[u]!;
    if (p.lockedSlot[s]) continue;
    for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
      const t = p.part[g.adj[e]!]!;
      if (t <= s || p.lockedSlot[t]) continue;
      const k = s * (g.n + 1) + t;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push([s, t]);
    }
  }
  return out;
}

/**
 * For every grid out of band, the smallest connected groups of grids around it whose other grids hold enough
 * spare households (or room) to cover its shortfall (or excess), merged and divided again. Groups grow from any
 * of their grids, not only from the end of a path: a grid between two neighbours that do not touch each other
 * (a fan) was otherwise never merged with both, and repair mode left it out of band although a division existed.
 */
function chains(p: Partition, random: Random): void {
  const band = p.g.band;
  const neighbours = neighbourSets(p);
  for (let s = 0; s < p.slots; s++) {
    if (p.slotSize[s] === 0 || p.lockedSlot[s]) continue;
    const hh = p.slotHH[s]!;
    const need = hh < band.min ? band.min - hh : hh > band.max ? hh - band.max : 0;
    if (need === 0) continue;
    const spare = (t: number) => (hh < band.min ? p.slotHH[t]! - band.min : band.max - p.slotHH[t]!);
    const found: number[][] = [];
    let frontier: number[][] = [[s]];
    for (let size = 2; size <= maxChain && found.length < chainTries; size++) {
      const next: number[][] = [];
      const seen = new Set<string>();
      for (const group of frontier) {
        for (const member of group) {
          for (const t of neighbours.get(member) ?? []) {
            if (group.includes(t)) continue;
            const extended = [...group, t];
            const key = extended
              .slice()
              .sort((x, y) => x - y)
              .join(",");
            if (seen.has(key)) continue;
            seen.add(key);
            const cover = extended.slice(1).reduce((a, x) => a + Math.max(0, spare(x)), 0);
            const total = extended.reduce((a, x) => a + p.slotHH[x]!, 0);
            const fits = total >= extended.length * band.min && total <= extended.length * band.max;
            if (cover >= need && fits && size > 2) found.push(extended);
            next.push(extended);
          }
        }
      }
      shuffle(next, random);
      frontier = next.slice(0, 24);
    }
    for (const group of found.slice(0, chainTries)) {
      if (group.some((x) => p.slotSize[x] === 0)) continue;
      if (resplitMany(p, group, random, chainAttempts) && bandDeviation(p.slotHH[s]!, band) === 0) break;
    }
  }
}

/**
 * For every building, then compound, that fits one grid but lies in two, merges those two grids with each of
 * their neighbours in turn and divides the three again: the third grid takes or gives what the band would not let
 * the pair absorb.
 */
function splitTriples(p: Partition, random: Random, tried: Map<string, string>): void {
  const g = p.g;
  const neighbours = neighbourSets(p);
  for (const [key, count] of [
    [g.building, g.buildingCount],
    [g.compound, g.compoundCount],
  ] as const) {
    const slotsOf = Array.from({ length: count }, () => new Set<number>());
    const hh = new Float64Array(count);
    for (let u = 0; u < g.n; u++) {
      if (key[u]! < 0) continue;
      slotsOf[key[u]!]!.add(p.part[u]!);
      hh[key[u]!]! += g.hh[u]!;
    }
    for (let b = 0; b < count; b++) {
      const slots = [...slotsOf[b]!];
      if (slots.length !== 2 || hh[b]! > g.band.max) continue;
      const [s, t] = slots as [number, number];
      if (p.lockedSlot[s] || p.lockedSlot[t]) continue;
      const third = [...new Set([...(neighbours.get(s) ?? []), ...(neighbours.get(t) ?? [])])].filter(
        (x) => x !== s && x !== t,
      );
      shuffle(third, random);
      for (const x of third.slice(0, chainTries)) {
        if (p.slotSize[s] === 0 || p.slotSize[t] === 0 || p.slotSize[x] === 0) break;
        const key = `${s},${t},${x}`;
        if (tried.get(key) === versions(p, [s, t, x])) continue;
        const changed = resplitMany(p, [s, t, x], random, chainAttempts);
        tried.set(key, versions(p, [s, t, x]));
        if (changed) break;
      }
    }
  }
}

/** Moves a randomly chosen split building (else compound) that fits one grid wholly into its larger part. */
function kick(p: Partition, random: Random): boolean {
  const g = p.g;
  for (const [key, count] of [
    [g.building, g.buildingCount],
    [g.compound, g.compoundCount],
  ] as const) {
    const units = Array.from({ length: count }, () => [] as number[]);
    const hh = new Float64Array(count);
    for (let u = 0; u < g.n; u++) {
      if (key[u]! < 0) continue;
      units[key[u]!]!.push(u);
      hh[key[u]!]! += g.hh[u]!;
    }
    const split: number[] = [];
    for (let b = 0; b < count; b++) {
      const members = units[b]!;
      if (hh[b]! > g.band.max || members.length < 2 || members.some((u) => p.lockedUnit[u] || p.lockedSlot[p.part[u]!]))
        continue;
      if (!members.some((u) => p.part[u] !== p.part[members[0]!])) continue;
      // Only a connected building or compound stays connected to the grid it joins whole.
      if (components(g, (u) => key[u] === b).length === 1) split.push(b);
    }
    shuffle(split, random);
    for (const b of split) {
      const members = units[b]!;
      const by = new Map<number, number>();
      for (const u of members) by.set(p.part[u]!, (by.get(p.part[u]!) ?? 0) + g.hh[u]! + 1e-3);
      const target = [...by].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]![0];
      const moving = members.filter((u) => p.part[u] !== target);
      const sources = new Set(moving.map((u) => p.part[u]!));
      const leaving = new Uint8Array(g.n);
      for (const u of moving) leaving[u] = 1;
      let ok = true;
      for (const s of sources) {
        const left = moving.filter((u) => p.part[u] === s).length;
        const start = firstStaying(p, s, leaving);
        if (!p.staysConnected(s, leaving, left, start)) ok = false;
      }
      if (!ok) continue;
      p.apply(
        moving,
        moving.map(() => target),
      );
      return true;
    }
  }
  return false;
}

function firstStaying(p: Partition, s: number, leaving: Uint8Array): number {
  for (let u = 0; u < p.g.n; u++) if (p.part[u] === s && !leaving[u]) return u;
  return -1;
}
