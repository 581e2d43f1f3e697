import {
  bandReachable,
  bandText,
  canPack,
  communityNames,
  type Explanation,
  format,
  reachThroughEmpty,
  totalInfeasibility,
} from "./rebalance.explain.ts";
import { bandDeviation, type CommunityGraph, components, gridRange } from "./rebalance.graph.ts";
import type { RebalanceMode } from "./rebalance.input.ts";
import { type Cost, compareCost, Partition } from "./rebalance.partition.ts";
import { createRandom, type Random, shuffle } from "./rebalance.random.ts";
import {
  bisect,
  exactFits,
  exactPartition,
  partitionRegion,
  refine,
  resplitMany,
  resplitPair,
} from "./rebalance.search.ts";

/** One community to solve: its graph, its current grids (slot i is currentIds[i]) and the locks. */
export interface CommunityProblem {
  g: CommunityGraph;
  /** Input ids of each local unit, dense building index and dense compound index, for explanations. */
  unitIds: readonly string[];
  buildingIds: readonly string[];
  compoundIds: readonly string[];
  mode: RebalanceMode;
  currentIds: readonly string[];
  /** Slot of each unit's current grid, -1 when it has none. */
  orig: Int32Array;
  lockedUnit: Uint8Array;
  lockedSlots: ReadonlySet<number>;
  /** Requested number of grids, locked ones included. */
  grids: number | undefined;
  seed: number;
}

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
export function solveCommunity(problem: CommunityProblem): CommunitySolution {
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
    improve(attempt.p, random, targets.length > 1 ? probeRounds : maxRounds, newMemo());
    const cost = attempt.p.cost();
    if (!best || compareCost(cost, best.cost) < 0) best = { p: attempt.p, cost, ids: attempt.ids };
  }
  const memo = newMemo();
  if (targets.length > 1) improve(best!.p, random, maxRounds, memo);
  let p = best!.p;
  for (let k = 0; k < kicks; k++) {
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
  const neighbours = new Map<number, Set<number>>();
  for (const [s, t] of adjacentPairs(p)) {
    if (!neighbours.has(s)) neighbours.set(s, new Set());
    if (!neighbours.has(t)) neighbours.set(t, new Set());
    neighbours.get(s)!.add(t);
    neighbours.get(t)!.add(s);
  }
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
  const neighbours = new Map<number, Set<number>>();
  for (const [s, t] of adjacentPairs(p)) {
    if (!neighbours.has(s)) neighbours.set(s, new Set());
    if (!neighbours.has(t)) neighbours.set(t, new Set());
    neighbours.get(s)!.add(t);
    neighbours.get(t)!.add(s);
  }
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

/** The (unlocked) grids whose locked units lie in the given units. */
function anchoredSlots(problem: CommunityProblem, units: readonly number[]): Set<number> {
  const { orig, lockedUnit, lockedSlots } = problem;
  const out = new Set<number>();
  for (const u of units) if (lockedUnit[u] && orig[u]! >= 0 && !lockedSlots.has(orig[u]!)) out.add(orig[u]!);
  return out;
}

/**
 * Allocates k grids over separate areas, in proportion to households and within each area's feasible range, but
 * never fewer than `least` (one per grid whose locked units the area holds): locks come before the band and the
 * count, so the sum exceeds k when k cannot honour them.
 */
function allocate(
  areas: readonly number[],
  least: readonly number[],
  k: number,
  mid: number,
  band: CommunityGraph["band"],
): number[] {
  const ranges = areas.map((h) => gridRange(h, band));
  const out = areas.map((h, i) => {
    const r = ranges[i]!;
    const want = Math.max(1, Math.round(h / Math.max(1, mid)));
    return Math.max(least[i]!, r.lo <= r.hi ? Math.min(r.hi, Math.max(r.lo, want)) : want);
  });
  const sum = () => out.reduce((a, b) => a + b, 0);
  const avgSlack = (i: number, k2: number) => Math.abs(areas[i]! / k2 - mid);
  while (sum() !== k) {
    const grow = sum() < k;
    let pick = -1;
    let pickScore = Number.POSITIVE_INFINITY;
    for (let i = 0; i < areas.length; i++) {
      const next = out[i]! + (grow ? 1 : -1);
      if (next < least[i]!) continue;
      const r = ranges[i]!;
      const inRange = next >= r.lo && next <= r.hi ? 0 : 1;
      const score = inRange * 1e9 + avgSlack(i, next);
      if (score < pickScore) {
        pickScore = score;
        pick = i;
      }
    }
    if (pick < 0) break;
    out[pick] = out[pick]! + (grow ? 1 : -1);
  }
  return out;
}

interface Start {
  p: Partition;
  ids: string[];
}

/**
 * Full mode: recursive bisection of every free area into at least `leastGrids` grids; parts holding locked units
 * take those units' grids, the others the ids of the grids they overlap most.
 */
function fullStart(
  problem: CommunityProblem,
  freeComps: number[][],
  leastGrids: readonly number[],
  kFree: number,
  random: Random,
): Start {
  const { g, orig, lockedSlots, lockedUnit } = problem;
  const anchors = new Int32Array(g.n).fill(-1);
  let anyAnchor = false;
  for (let u = 0; u < g.n; u++) {
    if (lockedUnit[u] && orig[u]! >= 0 && !lockedSlots.has(orig[u]!)) {
      anchors[u] = orig[u]!;
      anyAnchor = true;
    }
  }
  const areas = freeComps.map((c) => c.reduce((a, u) => a + g.hh[u]!, 0));
  const counts = allocate(areas, leastGrids, kFree, (g.band.min + g.band.max) / 2, g.band);
  const parts: number[][] = [];
  for (let i = 0; i < freeComps.length; i++) {
    const comp = freeComps[i]!;
    const got = exactFits(comp.length, counts[i]!)
      ? exactPartition(g, comp, counts[i]!, anyAnchor ? anchors : null)
      : partitionRegion(g, comp, counts[i]!, random, anyAnchor ? anchors : null);
    if (!got) return repairStart(problem, freeComps, kFree, random);
    parts.push(...got);
  }
  const part = new Int32Array(g.n).fill(-1);
  for (let u = 0; u < g.n; u++) if (orig[u]! >= 0 && lockedSlots.has(orig[u]!)) part[u] = orig[u]!;
  const ids = [...problem.currentIds];
  const taken = new Set<number>(lockedSlots);
  const label = new Int32Array(parts.length).fill(-1);
  for (let i = 0; i < parts.length; i++) {
    for (const u of parts[i]!) {
      if (anchors[u]! < 0) continue;
      // A part with the locked units of two grids would keep only one of them: never label it, start from the
      // current grids instead (the bisection should not produce one; this guards the invariant).
      if (label[i]! >= 0 && label[i] !== anchors[u]) return repairStart(problem, freeComps, kFree, random);
      label[i] = anchors[u]!;
      taken.add(anchors[u]!);
    }
  }
  const overlaps: { part: number; slot: number; hh: number; units: number }[] = [];
  parts.forEach((members, i) => {
    if (label[i]! >= 0) return;
    const by = new Map<number, { hh: number; units: number }>();
    for (const u of members) {
      const o = orig[u]!;
      if (o < 0) continue;
      const v = by.get(o) ?? { hh: 0, units: 0 };
      v.hh += g.hh[u]!;
      v.units++;
      by.set(o, v);
    }
    for (const [slot, v] of by) overlaps.push({ part: i, slot, ...v });
  });
  overlaps.sort((a, b) => b.hh - a.hh || b.units - a.units || a.slot - b.slot || a.part - b.part);
  for (const o of overlaps) {
    if (label[o.part]! >= 0 || taken.has(o.slot)) continue;
    label[o.part] = o.slot;
    taken.add(o.slot);
  }
  const fresh: number[] = [];
  parts.forEach((_, i) => {
    if (label[i]! < 0) fresh.push(i);
  });
  const newIds = freshIds(
    problem,
    fresh.length,
    fresh.map((i) => parts[i]!),
  );
  fresh.forEach((i, j) => {
    label[i] = ids.length;
    ids.push(newIds[j]!);
  });
  parts.forEach((members, i) => {
    for (const u of members) part[u] = label[i]!;
  });
  return { p: makePartition(problem, part, ids.length), ids };
}

function makePartition(problem: CommunityProblem, part: Int32Array, slots: number): Partition {
  const lockedSlot = new Uint8Array(problem.g.n + 1);
  for (const s of problem.lockedSlots) if (s < lockedSlot.length) lockedSlot[s] = 1;
  return new Partition(problem.g, part, slots, problem.orig, problem.lockedUnit, lockedSlot, problem.mode === "repair");
}

/**
 * Repair mode's start (and full mode's when locked units cannot be honoured by bisection): the current grids,
 * with every grid cut down to its main piece, stray pieces and units without a grid given to the neighbouring grid
 * that needs them most, then grids merged or split until there are k free ones.
 */
function repairStart(problem: CommunityProblem, freeComps: number[][], kFree: number, random: Random): Start {
  const { g, orig, lockedSlots, lockedUnit } = problem;
  const part = Int32Array.from(orig);
  const ids = [...problem.currentIds];
  for (let s = 0; s < ids.length; s++) {
    if (lockedSlots.has(s)) continue;
    const pieces = components(g, (u) => part[u] === s);
    if (pieces.length < 2) continue;
    const score = (c: number[]) => [
      c.filter((u) => lockedUnit[u]).length,
      c.reduce((a, u) => a + g.hh[u]!, 0),
      c.length,
    ];
    pieces.sort((a, b) => {
      const x = score(a);
      const y = score(b);
      return y[0]! - x[0]! || y[1]! - x[1]! || y[2]! - x[2]!;
    });
    for (const piece of pieces.slice(1)) {
      if (piece.some((u) => lockedUnit[u])) continue;
      for (const u of piece) part[u] = -1;
    }
  }
  const slotHH = new Float64Array(g.n + ids.length + 1);
  for (let u = 0; u < g.n; u++) if (part[u]! >= 0) slotHH[part[u]!]! += g.hh[u]!;
  const orphans = components(g, (u) => part[u] === -1);
  const newOnes: number[][] = [];
  for (const piece of orphans) {
    const hh = piece.reduce((a, u) => a + g.hh[u]!, 0);
    const shared = new Map<number, number>();
    for (const u of piece) {
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const t = part[g.adj[e]!]!;
        if (t < 0 || lockedSlots.has(t)) continue;
        shared.set(t, (shared.get(t) ?? 0) + g.len_m[e]!);
      }
    }
    let pick = -1;
    let pickScore: [number, number] = [Number.POSITIVE_INFINITY, 0];
    for (const [t, len] of shared) {
      const score: [number, number] = [
        bandDeviation(slotHH[t]! + hh, g.band) - bandDeviation(slotHH[t]!, g.band),
        -len,
      ];
      if (score[0] < pickScore[0] || (score[0] === pickScore[0] && score[1] < pickScore[1])) {
        pick = t;
        pickScore = score;
      }
    }
    if (pick >= 0) {
      for (const u of piece) part[u] = pick;
      slotHH[pick]! += hh;
    } else newOnes.push(piece);
  }
  const newIds = freshIds(problem, newOnes.length, newOnes);
  newOnes.forEach((piece, i) => {
    for (const u of piece) part[u] = ids.length;
    ids.push(newIds[i]!);
  });
  const p = makePartition(problem, part, ids.length);
  adjustCount(problem, p, ids, kFree, freeComps.length, random);
  return { p, ids };
}

/** Merges the smallest grids into a neighbour, or splits the largest, until there are k free grids. */
function adjustCount(
  problem: CommunityProblem,
  p: Partition,
  ids: string[],
  kFree: number,
  areas: number,
  random: Random,
): void {
  const g = p.g;
  const freeSlots = () => {
    const out: number[] = [];
    for (let s = 0; s < p.slots; s++) if (p.slotSize[s]! > 0 && !p.lockedSlot[s]) out.push(s);
    return out;
  };
  let guard = g.n;
  while (freeSlots().length > Math.max(kFree, areas) && guard-- > 0) {
    const slots = freeSlots().sort((a, b) => p.slotHH[a]! - p.slotHH[b]! || a - b);
    let merged = false;
    for (const s of slots) {
      const members = [];
      const neighbours = new Set<number>();
      for (let u = 0; u < g.n; u++) {
        if (p.part[u] !== s) continue;
        members.push(u);
        for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
          const t = p.part[g.adj[e]!]!;
          if (t !== s && !p.lockedSlot[t]) neighbours.add(t);
        }
      }
      if (neighbours.size === 0 || members.some((u) => p.lockedUnit[u])) continue;
      const t = [...neighbours].sort((a, b) => p.slotHH[a]! - p.slotHH[b]! || a - b)[0]!;
      p.apply(
        members,
        members.map(() => t),
      );
      merged = true;
      break;
    }
    if (!merged) break;
  }
  guard = g.n;
  while (freeSlots().length < kFree && guard-- > 0) {
    const slots = freeSlots().sort((a, b) => p.slotHH[b]! - p.slotHH[a]! || a - b);
    let split = false;
    for (const s of slots) {
      const members: number[] = [];
      for (let u = 0; u < g.n; u++) if (p.part[u] === s) members.push(u);
      if (members.length < 2) continue;
      const anchors = new Int32Array(g.n).fill(-1);
      for (const u of members) if (p.lockedUnit[u]) anchors[u] = s;
      const cut = bisect(g, members, 2, random, 16, anchors);
      if (!cut) continue;
      const keep = cut.a.some((u) => p.lockedUnit[u]) ? cut.b : cut.a;
      const t = p.addSlot();
      ids.push(freshIds(problem, 1, [keep], ids)[0]!);
      p.apply(
        keep,
        keep.map(() => t),
      );
      split = true;
      break;
    }
    if (!split) break;
  }
}

/**
 * Ids for new grids. When the community's grid ids are codes (community code + a fixed-width sequence, as
 * 网格编码 are), new grids take the next free sequence numbers, north to south and west to east; otherwise
 * "<community>-new-<n>".
 */
function freshIds(
  problem: CommunityProblem,
  count: number,
  parts: number[][],
  taken: readonly string[] = [],
): string[] {
  if (count === 0) return [];
  const { g } = problem;
  const used = new Set([...problem.currentIds, ...taken]);
  const order = parts
    .map((members, i) => {
      let x = 0;
      let y = 0;
      for (const u of members) {
        x += g.cx[u]!;
        y += g.cy[u]!;
      }
      return { i, x: x / Math.max(1, members.length), y: y / Math.max(1, members.length) };
    })
    .sort((a, b) => Math.round(b.y / 200) - Math.round(a.y / 200) || a.x - b.x);
  const prefix = g.community ?? "";
  const codes = problem.currentIds.filter(
    (id) => prefix !== "" && id.startsWith(prefix) && /^\d+$/.test(id.slice(prefix.length)),
  );
  const width = codes.length > 0 ? codes[0]!.length - prefix.length : 3;
  const sameWidth =
    codes.length > 0 &&
    codes.length === problem.currentIds.length &&
    codes.every((c) => c.length === prefix.length + width);
  const out = new Array<string>(count);
  let seq = sameWidth ? Math.max(...codes.map((c) => Number(c.slice(prefix.length)))) : 0;
  for (const { i } of order) {
    let id: string;
    do {
      seq++;
      id = sameWidth ? `${prefix}${String(seq).padStart(width, "0")}` : `${prefix || "grid"}-new-${seq}`;
    } while (used.has(id));
    used.add(id);
    out[i] = id;
  }
  return out;
}

/** Explanations that need no search: counts that cannot fit, units bigger than a grid, islands, locked grids. */
function explainBeforeSearch(
  problem: CommunityProblem,
  freeComps: number[][],
  total: number,
  out: Explanation[],
): void {
  const { g, unitIds, orig, lockedSlots, currentIds } = problem;
  const band = g.band;
  const names = communityNames(g.community);
  const push = (e: Omit<Explanation, "community">) => out.push({ community: g.community, ...e });
  const whole = totalInfeasibility(total, band);
  if (whole) {
    push({
      kind: "band_infeasible",
      severity: "error",
      zh: `${names.zh} 共 ${format.households(total)} 户：${whole.zh}，${bandText(band)} 户的标准无法满足`,
      en: `${names.en} has ${format.households(total)} households: ${whole.en}, so the ${bandText(band)} band cannot be met`,
    });
  }
  const range = gridRange(total, band);
  if (problem.grids !== undefined && !whole && (problem.grids < range.lo || problem.grids > range.hi)) {
    const miss = format.averageMiss(total, problem.grids, band);
    push({
      kind: "grid_count",
      severity: "error",
      zh: `${names.zh} 共 ${format.households(total)} 户：要求的 ${miss.zh}；${range.lo} 至 ${range.hi} 个网格才能满足 ${bandText(band)} 户`,
      en: `${names.en} has ${format.households(total)} households: the requested ${miss.en}; ${range.lo} to ${range.hi} grids fit the ${bandText(band)} band`,
    });
  }
  for (let u = 0; u < g.n; u++) {
    if (g.hh[u]! > band.max) {
      push({
        kind: "oversized_unit",
        severity: "error",
        zh: `单元 ${unitIds[u]} 有 ${format.households(g.hh[u]!)} 户，比上限多 ${format.households(g.hh[u]! - band.max)} 户；单元不可拆分，其所在网格必然超标`,
        en: `unit ${unitIds[u]} has ${format.households(g.hh[u]!)} households, ${format.households(g.hh[u]! - band.max)} above the maximum; a unit is never split, so its grid is over the band`,
        units: [unitIds[u]!],
      });
    }
  }
  for (const s of lockedSlots) {
    let hh = 0;
    let any = false;
    for (let u = 0; u < g.n; u++) {
      if (orig[u] === s) {
        hh += g.hh[u]!;
        any = true;
      }
    }
    const d = bandDeviation(hh, band);
    if (any && d > 0) {
      const side =
        hh > band.max ? { zh: "超出上限", en: "above the maximum" } : { zh: "低于下限", en: "below the minimum" };
      push({
        kind: "locked_grid",
        severity: "error",
        zh: `锁定网格 ${currentIds[s]} 有 ${format.households(hh)} 户，${side.zh} ${format.households(d)} 户，按锁定保持不变`,
        en: `locked grid ${currentIds[s]} has ${format.households(hh)} households, ${format.households(d)} ${side.en}; it is locked and kept as it is`,
        grids: [currentIds[s]!],
      });
    }
  }
  const cutOff = lockedSlots.size > 0 ? "（被道路、水系或锁定网格隔开）" : "（被道路或水系隔开）";
  const cutOffEn = lockedSlots.size > 0 ? "cut off by roads, water or locked grids" : "cut off by roads or water";
  for (const comp of freeComps.length > 1 ? freeComps : []) {
    const hh = comp.reduce((a, u) => a + g.hh[u]!, 0);
    const why = totalInfeasibility(hh, band);
    if (!why) continue;
    const label = areaLabel(problem, comp);
    push({
      kind: "island",
      severity: "error",
      zh: `${names.zh}：${label.zh}的 ${format.households(hh)} 户自成一片，没有相邻区域可以分担${cutOff}：${why.zh}`,
      en: `${names.en}: ${label.en}'s ${format.households(hh)} households sit on their own with no neighbour to share them (${cutOffEn}): ${why.en}`,
      units: comp.map((u) => unitIds[u]!),
    });
  }
  for (const comp of freeComps) {
    // Every grid whose locked units lie in the area keeps a grid of its own there, so the area must hold the
    // band's minimum that many times over.
    const anchored = [...anchoredSlots(problem, comp)].sort((a, b) => a - b);
    const hh = comp.reduce((a, u) => a + g.hh[u]!, 0);
    const need = anchored.length * band.min;
    if (anchored.length < 2 || hh >= need) continue;
    const label = freeComps.length > 1 ? areaLabel(problem, comp) : names;
    const gridList = anchored.map((s) => currentIds[s]!);
    const where = freeComps.length > 1 ? { zh: cutOff, en: ` (${cutOffEn})` } : { zh: "", en: "" };
    push({
      kind: "locked_units",
      severity: "error",
      zh: `${label.zh}共 ${format.households(hh)} 户${where.zh}，其中有 ${anchored.length} 个网格（${gridList.join("、")}）的锁定单元，各自留在原网格：${anchored.length} 个网格至少需要 ${format.households(need)} 户，还差 ${format.households(need - hh)} 户`,
      en: `${label.en} has ${format.households(hh)} households${where.en} holding locked units of ${anchored.length} grids (${gridList.join(", ")}), each kept in its grid: ${anchored.length} grids need at least ${format.households(need)} households, ${format.households(need - hh)} more than there are`,
      units: comp.filter((u) => problem.lockedUnit[u]).map((u) => unitIds[u]!),
    });
  }
  for (const comp of freeComps) {
    const values = comp.map((u) => g.hh[u]!);
    const hh = values.reduce((a, b) => a + b, 0);
    if (totalInfeasibility(hh, band)) continue;
    const r = gridRange(hh, band);
    const ks: number[] = [];
    for (let k = r.lo; k <= Math.min(r.hi, r.lo + 30); k++) ks.push(k);
    if (canPack(values, ks, band) !== false) continue;
    const shown = values.filter((v) => v > 0).sort((a, b) => b - a);
    const label = freeComps.length > 1 ? areaLabel(problem, comp) : names;
    push({
      kind: "packing",
      severity: "error",
      zh: `${label.zh}：各单元的户数（${shown.join("、")}）无论怎样组合都凑不成 ${bandText(band)} 户的网格`,
      en: `${label.en}: the units' households (${shown.join(", ")}) cannot be grouped into grids of ${bandText(band)} households, however they are drawn`,
      units: comp.filter((u) => g.hh[u]! > 0).map((u) => unitIds[u]!),
    });
  }
  const isFree = (u: number) => !(orig[u]! >= 0 && lockedSlots.has(orig[u]!));
  const reach = reachThroughEmpty(
    g.hh,
    (u, visit) => {
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) visit(g.adj[e]!);
    },
    isFree,
  );
  let stuckShown = 0;
  let stuckMore = 0;
  for (let u = 0; u < g.n; u++) {
    if (g.hh[u] === 0 || g.hh[u]! > band.max || !isFree(u)) continue;
    const { reachable, largest } = bandReachable(g.n, g.hh, reach, u, band);
    if (reachable !== false) continue;
    if (stuckShown >= 10) {
      stuckMore++;
      continue;
    }
    stuckShown++;
    push({
      kind: "unit_stuck",
      severity: "error",
      zh: `单元 ${unitIds[u]} 有 ${format.households(g.hh[u]!)} 户，但与它相连的单元无论怎样组合都凑不成 ${bandText(band)} 户：不超过上限的组合最多只有 ${format.households(largest)} 户，再加任何相邻单元就超过 ${format.households(band.max)} 户`,
      en: `unit ${unitIds[u]} has ${format.households(g.hh[u]!)} households, but no group of connected units around it adds up to ${bandText(band)}: groups within the maximum reach at most ${format.households(largest)}, and any further neighbour takes them over ${format.households(band.max)}`,
      units: [unitIds[u]!],
    });
  }
  if (stuckMore > 0) {
    push({
      kind: "unit_stuck",
      severity: "error",
      zh: `另有 ${stuckMore} 个单元情况相同`,
      en: `${stuckMore} more units are in the same situation`,
    });
  }
  const compoundHH = new Float64Array(g.compoundCount);
  const buildingHH = new Float64Array(g.buildingCount);
  for (let u = 0; u < g.n; u++) {
    if (g.compound[u]! >= 0) compoundHH[g.compound[u]!]! += g.hh[u]!;
    if (g.building[u]! >= 0) buildingHH[g.building[u]!]! += g.hh[u]!;
  }
  for (let c = 0; c < g.compoundCount; c++) {
    if (compoundHH[c]! <= band.max) continue;
    const least = Math.ceil(compoundHH[c]! / band.max);
    const name = problem.compoundIds[c];
    push({
      kind: "oversized_compound",
      severity: "info",
      zh: `小区 ${name} 有 ${format.households(compoundHH[c]!)} 户，超过一个网格的上限，至少分入 ${least} 个网格，沿楼栋分界`,
      en: `compound ${name} has ${format.households(compoundHH[c]!)} households, more than one grid holds: it is split into at least ${least} grids, along building lines`,
    });
  }
  for (let b = 0; b < g.buildingCount; b++) {
    if (buildingHH[b]! <= band.max) continue;
    const least = Math.ceil(buildingHH[b]! / band.max);
    push({
      kind: "oversized_building",
      severity: "info",
      zh: `楼栋 ${problem.buildingIds[b]} 有 ${format.households(buildingHH[b]!)} 户，超过一个网格的上限，至少分入 ${least} 个网格，沿单元分界`,
      en: `building ${problem.buildingIds[b]} has ${format.households(buildingHH[b]!)} households, more than one grid holds: it is split into at least ${least} grids, along entrance lines`,
    });
  }
}

/** Names an area by the compound holding most of its households, else by its first unit. */
function areaLabel(problem: CommunityProblem, comp: readonly number[]): { zh: string; en: string } {
  const { g, unitIds } = problem;
  const by = new Map<number, number>();
  for (const u of comp) if (g.compound[u]! >= 0) by.set(g.compound[u]!, (by.get(g.compound[u]!) ?? 0) + g.hh[u]!);
  const top = [...by].sort((a, b) => b[1] - a[1])[0];
  if (top) {
    const name = problem.compoundIds[top[0]] ?? String(top[0]);
    return { zh: `小区 ${name} 一带`, en: `compound ${name}` };
  }
  return { zh: `单元 ${unitIds[comp[0]!]} 一带`, en: `the area of unit ${unitIds[comp[0]!]}` };
}

/** After the search: grids still out of band with no reason found before, locked units that could not be joined. */
function explainAfterSearch(problem: CommunityProblem, p: Partition, ids: readonly string[], out: Explanation[]): void {
  const { g } = problem;
  const names = communityNames(g.community);
  const proven = out.some((e) => e.severity === "error");
  const bad: string[] = [];
  const bits: { zh: string; en: string }[] = [];
  for (let s = 0; s < p.slots; s++) {
    if (p.slotSize[s] === 0) continue;
    const hh = p.slotHH[s]!;
    const d = bandDeviation(hh, g.band);
    if (d === 0) continue;
    bad.push(ids[s]!);
    const sign = hh > g.band.max ? "+" : "−";
    bits.push({
      zh: `网格 ${ids[s]} ${format.households(hh)} 户（${sign}${d}）`,
      en: `grid ${ids[s]} at ${format.households(hh)} (${sign}${d})`,
    });
  }
  if (bad.length > 0 && !proven) {
    out.push({
      community: g.community,
      kind: "not_found",
      severity: "warning",
      zh: `${names.zh}：未找到所有网格都在 ${bandText(g.band)} 户之内的划分（搜索是启发式的，未能证明不存在）；最好的结果中 ${bits.map((b) => b.zh).join("，")}`,
      en: `${names.en}: no assignment with every grid in the ${bandText(g.band)} band was found (the search is heuristic and did not prove there is none); the best found has ${bits.map((b) => b.en).join(", ")}`,
      grids: bad,
    });
  }
  for (let s = 0; s < p.slots; s++) {
    if (p.slotSize[s] === 0) continue;
    const pieces = components(g, (u) => p.part[u] === s);
    if (pieces.length < 2) continue;
    const locked = pieces.filter((c) => c.some((u) => problem.lockedUnit[u])).length;
    out.push({
      community: g.community,
      kind: locked > 1 ? "locked_units" : "non_contiguous",
      severity: "error",
      zh: `网格 ${ids[s]} 分成 ${pieces.length} 片${locked > 1 ? "：其锁定单元彼此不相连，无法合为一片" : ""}`,
      en: `grid ${ids[s]} is in ${pieces.length} pieces${locked > 1 ? ": its locked units do not touch each other and cannot be joined" : ""}`,
      grids: [ids[s]!],
    });
  }
}
