import { bandDeviation, type CommunityGraph } from "./rebalance.graph.ts";
import type { Band } from "./rebalance.input.ts";
import { type Cost, compareCost, type Partition, unitMoveCost } from "./rebalance.partition.ts";
import type { Random } from "./rebalance.random.ts";
import {
  type Contracted,
  coarsen,
  contract,
  cutCosts,
  type Level,
  randomTree,
  type SplitIndex,
  splitCount,
  splitIndex,
  subtreeNodes,
  subtreeSums,
  type Tree,
} from "./rebalance.tree.ts";

/**
 * Draws a contraction level: mostly coarse (whole blocks and compounds), sometimes down to single units. A region
 * that will hold many grids is only ever cut between blocks and compounds: finer cuts are for the last splits.
 */
function drawLevel(random: Random, grids = 2): Level | "coarse" {
  const r = random.next();
  if (grids > 3) return r < 0.75 ? "coarse" : r < 0.9 ? 3 : 2;
  if (grids === 3) return r < 0.35 ? 3 : r < 0.65 ? 2 : r < 0.85 ? 1 : 0;
  // Two grids' worth of households: a whole block rarely fits one grid, so blocks are left to the compound level.
  return r < 0.55 ? 2 : r < 0.85 ? 1 : 0;
}

/** Draws how strongly trees follow long, in-block boundaries. */
function drawBias(random: Random): number {
  const r = random.next();
  return r < 0.3 ? 0 : r < 0.7 ? 1 : 2;
}

/**
 * Contractions of one region, built on first use; "coarse" is the compound level further coarsened by matching
 * down to a few nodes per grid the region will hold.
 */
class Levels {
  private readonly cache = new Map<Level | "coarse", { c: Contracted; split: SplitIndex }>();
  constructor(
    private readonly g: CommunityGraph,
    private readonly region: readonly number[],
    private readonly maxHH: number,
    private readonly grids: number,
    private readonly random: Random,
  ) {}
  get(level: Level | "coarse"): { c: Contracted; split: SplitIndex } {
    let v = this.cache.get(level);
    if (!v) {
      const c =
        level === "coarse"
          ? coarsen(this.get(2).c, this.maxHH, Math.max(24, 6 * this.grids), this.random)
          : contract(this.g, this.region, level, this.maxHH);
      // A level that leaves the region one node has no cut at all (a region that is one compound small enough
      // for one grid is one node up to the compound level): the next finer level stands in for it. Without this,
      // splitting such a grid to reach a requested count mostly found no cut (repair returned too few grids).
      v =
        level !== "coarse" && level > 0 && c.nodes.length < 2 && this.region.length > 1
          ? this.get((level - 1) as Level)
          : { c, split: splitIndex(this.g, c) };
      this.cache.set(level, v);
    }
    return v;
  }
}

/** The households a side of k grids can hold without leaving the band: the distance to [k·min, k·max]. */
function sideInfeasibility(households: number, k: number, band: Band): number {
  if (households < k * band.min) return k * band.min - households;
  if (households > k * band.max) return households - k * band.max;
  return 0;
}

/** How close the average grid of a side that is still to be divided sits to the band's ends (0 … 0.5). */
function slack(households: number, k: number, band: Band): number {
  const width = Math.max(1, band.max - band.min);
  const avg = households / k;
  return Math.max(0, Math.min(avg - band.min, band.max - avg) / width);
}

/** Locked-grid anchors: the slot each unit must end in, -1 for free units. */
export type Anchors = Int32Array;

/** A cut of a region into two sides that will hold kA and kB grids. */
export interface Bisection {
  a: number[];
  b: number[];
  kA: number;
  kB: number;
}

type BisectScore = [infeasible: number, slackShort: number, buildings: number, compounds: number, cut: number];

function betterScore(x: BisectScore, y: BisectScore | null): boolean {
  if (!y) return true;
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return x[4] < y[4] - 1e-9;
}

/**
 * Cuts a connected region that must hold k ≥ 2 grids into two connected sides, each able to hold its share of
 * grids within the band, by sampling random spanning trees of contracted regions and trying every tree edge.
 * Ranks cuts by: households that could not fit the band, too little room left in the sides still to be divided,
 * buildings split, compounds split, boundary cost. Anchored units (locked units of a grid) must not be separated
 * from their grid's other anchors, and no side may hold more grids' anchors than grids.
 */
export function bisect(
  g: CommunityGraph,
  region: readonly number[],
  k: number,
  random: Random,
  trees: number,
  anchors: Anchors | null,
): Bisection | null {
  const band = g.band;
  const levels = new Levels(g, region, band.max, k, random);
  let total = 0;
  for (const u of region) total += g.hh[u]!;
  const anchorSlots = new Map<number, number>();
  if (anchors)
    for (const u of region) if (anchors[u]! >= 0) anchorSlots.set(anchors[u]!, (anchorSlots.get(anchors[u]!) ?? 0) + 1);
  let best: { score: BisectScore; c: Contracted; tree: Tree; x: number; kA: number } | null = null;
  const wantedSlack = 0.15;
  for (let attempt = 0; attempt < trees; attempt++) {
    const level = attempt === 0 ? (k > 3 ? "coarse" : 2) : drawLevel(random, k);
    const { c, split } = levels.get(level);
    const tree = randomTree(c, random, drawBias(random));
    if (!tree) continue;
    const sums = subtreeSums(tree, c.hh);
    const cuts = cutCosts(tree, c);
    const anchorInfo = anchors ? anchorSums(tree, c, anchors, anchorSlots) : null;
    for (let x = 0; x < c.nodes.length; x++) {
      if (tree.parent[x] === -1) continue;
      const hA = sums[x]!;
      const hB = total - hA;
      let kA = Math.min(k - 1, Math.max(1, Math.round((k * hA) / Math.max(1, total))));
      let inf = sideInfeasibility(hA, kA, band) + sideInfeasibility(hB, k - kA, band);
      for (const alt of [kA - 1, kA + 1]) {
        if (alt < 1 || alt > k - 1) continue;
        const altInf = sideInfeasibility(hA, alt, band) + sideInfeasibility(hB, k - alt, band);
        if (altInf < inf) {
          inf = altInf;
          kA = alt;
        }
      }
      const kB = k - kA;
      if (anchorInfo && !anchorInfo.valid(x, kA, kB)) continue;
      let short = 0;
      if (kA > 1) short += Math.max(0, wantedSlack - slack(hA, kA, band));
      if (kB > 1) short += Math.max(0, wantedSlack - slack(hB, kB, band));
      short = Math.round(short * 100);
      if (best && (inf > best.score[0] || (inf === best.score[0] && short > best.score[1]))) continue;
      const score: BisectScore = [
        inf,
        short,
        splitCount(split.buildings, tree, x),
        splitCount(split.compounds, tree, x),
        cuts[x]!,
      ];
      if (betterScore(score, best?.score ?? null)) {
        best = { score, c, tree, x, kA };
      }
    }
  }
  if (!best) return null;
  const a: number[] = [];
  const b: number[] = [];
  const { c, tree, x, kA } = best;
  const inA = new Uint8Array(c.nodes.length);
  for (const node of subtreeNodes(tree, x)) inA[node] = 1;
  c.nodes.forEach((members, node) => {
    (inA[node] ? a : b).push(...members);
  });
  return { a, b, kA, kB: k - kA };
}

/** Per-subtree anchor bookkeeping for {@link bisect}. */
function anchorSums(tree: Tree, c: Contracted, anchors: Anchors, totals: Map<number, number>) {
  const slots = [...totals.keys()];
  const perSlot = slots.map((s) => {
    const v = new Float64Array(c.nodes.length);
    c.nodes.forEach((members, node) => {
      for (const u of members) if (anchors[u] === s) v[node]!++;
    });
    return subtreeSums(tree, v);
  });
  return {
    valid(x: number, kA: number, kB: number): boolean {
      let inA = 0;
      let inB = 0;
      for (let i = 0; i < slots.length; i++) {
        const here = perSlot[i]![x]!;
        const all = totals.get(slots[i]!)!;
        if (here > 0 && here < all) return false;
        if (here === all) inA++;
        else inB++;
      }
      return inA <= kA && inB <= kB;
    },
  };
}

/**
 * Divides a connected region into k grids by recursive bisection. Returns the parts, or null when the anchors
 * cannot be kept apart and together as required.
 */
export function partitionRegion(
  g: CommunityGraph,
  region: readonly number[],
  k: number,
  random: Random,
  anchors: Anchors | null,
  effort = 1,
): number[][] | null {
  if (k <= 1) {
    // A single grid keeps the locked units of one grid at most: report the region as undividable rather than hand
    // back a part whose labelling would move somebody's locked unit.
    let slot = -1;
    if (anchors) {
      for (const u of region) {
        const a = anchors[u]!;
        if (a < 0) continue;
        if (slot >= 0 && a !== slot) return null;
        slot = a;
      }
    }
    return [region.slice()];
  }
  const trees = Math.max(3, Math.round(effort * Math.min(32, 8 + k)));
  const cut = bisect(g, region, k, random, Math.min(trees, region.length), anchors);
  if (!cut) return null;
  const left = partitionRegion(g, cut.a, cut.kA, random, anchors, effort);
  const right = left && partitionRegion(g, cut.b, cut.kB, random, anchors, effort);
  return left && right ? [...left, ...right] : null;
}

/** Units of the given slots, in unit order. */
function unitsOf(p: Partition, slots: readonly number[]): number[] {
  const out: number[] = [];
  for (let u = 0; u < p.g.n; u++) if (slots.includes(p.part[u]!)) out.push(u);
  return out;
}

/**
 * Merges two adjacent grids and cuts the merged region again along the best tree edge found (ReCom-style
 * merge-and-split), labelling the sides so that locked units stay and as few households as possible change grid.
 * Applies the cut and returns true only when it improves the whole objective.
 */
export function resplitPair(p: Partition, s: number, t: number, random: Random, trees: number): boolean {
  const g = p.g;
  const band = g.band;
  const region = unitsOf(p, [s, t]);
  if (region.length < 2) return false;
  if (region.length <= exactPairUnits) return exactPair(p, s, t, region);
  const levels = new Levels(g, region, band.max, 2, random);
  let total = 0;
  let totalOrigS = 0;
  let totalOrigT = 0;
  let unitsOrigS = 0;
  let unitsOrigT = 0;
  let lockS = 0;
  let lockT = 0;
  for (const u of region) {
    total += g.hh[u]!;
    if (p.orig[u] === s) {
      totalOrigS += g.hh[u]!;
      unitsOrigS++;
    } else if (p.orig[u] === t) {
      totalOrigT += g.hh[u]!;
      unitsOrigT++;
    }
    if (p.lockedUnit[u]) {
      if (p.part[u] === s) lockS++;
      else lockT++;
    }
  }
  type Candidate = { score: Cost; c: Contracted; nodes: Int32Array; xToS: boolean };
  let best: Candidate | null = null;
  for (let attempt = 0; attempt < Math.min(trees, region.length); attempt++) {
    const level = drawLevel(random);
    const { c, split } = levels.get(level);
    const tree = randomTree(c, random, drawBias(random));
    if (!tree) continue;
    const nodeCount = c.nodes.length;
    const origS = new Float64Array(nodeCount);
    const origT = new Float64Array(nodeCount);
    const nOrigS = new Float64Array(nodeCount);
    const nOrigT = new Float64Array(nodeCount);
    const lS = new Float64Array(nodeCount);
    const lT = new Float64Array(nodeCount);
    c.nodes.forEach((members, node) => {
      for (const u of members) {
        if (p.orig[u] === s) {
          origS[node]! += g.hh[u]!;
          nOrigS[node]!++;
        } else if (p.orig[u] === t) {
          origT[node]! += g.hh[u]!;
          nOrigT[node]!++;
        }
        if (p.lockedUnit[u]) {
          if (p.part[u] === s) lS[node]!++;
          else lT[node]!++;
        }
      }
    });
    const sums = subtreeSums(tree, c.hh);
    const sUnits = subtreeSums(
      tree,
      c.nodes.map((m) => m.length),
    );
    const cuts = cutCosts(tree, c);
    const sOS = subtreeSums(tree, origS);
    const sOT = subtreeSums(tree, origT);
    const sNS = subtreeSums(tree, nOrigS);
    const sNT = subtreeSums(tree, nOrigT);
    const sLS = lockS + lockT > 0 ? subtreeSums(tree, lS) : null;
    const sLT = lockS + lockT > 0 ? subtreeSums(tree, lT) : null;
    for (let x = 0; x < nodeCount; x++) {
      if (tree.parent[x] === -1) continue;
      const hX = sums[x]!;
      const hY = total - hX;
      const dx = bandDeviation(hX, band);
      const dy = bandDeviation(hY, band);
      const out = (dx > 0 ? 1 : 0) + (dy > 0 ? 1 : 0);
      const dev = dx + dy;
      if (best && (out > best.score[0] || (out === best.score[0] && dev > best.score[1]))) continue;
      // Orientation: the subtree becomes s or t; locks may force one, otherwise the one moving fewer households.
      const xsOk = !sLS || (sLT![x] === 0 && sLS[x] === lockS);
      const xtOk = !sLS || (sLS[x] === 0 && sLT![x] === lockT);
      if (!xsOk && !xtOk) continue;
      const nX = sUnits[x]!;
      const nY = region.length - nX;
      const movedXS = hX - sOS[x]! + (hY - (totalOrigT - sOT[x]!));
      const movedXT = hX - sOT[x]! + (hY - (totalOrigS - sOS[x]!));
      const unitsXS = nX - sNS[x]! + (nY - (unitsOrigT - sNT[x]!));
      const unitsXT = nX - sNT[x]! + (nY - (unitsOrigS - sNS[x]!));
      let xToS: boolean;
      if (xsOk && xtOk) xToS = movedXS < movedXT || (movedXS === movedXT && unitsXS <= unitsXT);
      else xToS = xsOk;
      const moved = p.repair ? (xToS ? movedXS : movedXT) : 0;
      const movedUnits = p.repair ? (xToS ? unitsXS : unitsXT) : 0;
      const score: Cost = [
        out,
        dev,
        splitCount(split.buildings, tree, x),
        splitCount(split.compounds, tree, x),
        moved,
        cuts[x]! + movedUnits * unitMoveCost,
      ];
      if (!best || compareCost(score, best.score) < 0) {
        best = { score, c, nodes: subtreeNodes(tree, x).slice(), xToS };
      }
    }
  }
  if (!best) return false;
  const inX = new Uint8Array(best.c.nodes.length);
  for (const node of best.nodes) inX[node] = 1;
  const to = region.map((u) => ((inX[best.c.nodeOf[u]!] === 1) === best.xToS ? s : t));
  const delta = p.delta(region, to);
  if (compareCost(delta, [0, 0, 0, 0, 0, 0]) >= 0) return false;
  p.apply(region, to);
  return true;
}

/** Pairs of grids with at most this many units together are divided again by trying every division. */
const exactPairUnits = 12;

/** {@link resplitPair} for a small region: every connected bipartition, both ways round. */
function exactPair(p: Partition, s: number, t: number, region: readonly number[]): boolean {
  const n = region.length;
  const local = new Map(region.map((u, i) => [u, i]));
  const adjMask = new Int32Array(n);
  region.forEach((u, i) => {
    for (let e = p.g.xadj[u]!; e < p.g.xadj[u + 1]!; e++) {
      const j = local.get(p.g.adj[e]!);
      if (j !== undefined) adjMask[i]! |= 1 << j;
    }
  });
  const connected = (mask: number) => maskConnected(adjMask, mask);
  const all = (1 << n) - 1;
  let best: { delta: Cost; to: number[] } | null = null;
  const to = new Array<number>(n);
  for (let rest = 0; rest < 1 << (n - 1); rest++) {
    const mask = 1 | (rest << 1);
    if (mask === all || !connected(mask) || !connected(all ^ mask)) continue;
    for (const [inside, outside] of [
      [s, t],
      [t, s],
    ] as const) {
      let valid = true;
      for (let i = 0; i < n; i++) {
        to[i] = mask & (1 << i) ? inside : outside;
        if (p.lockedUnit[region[i]!] && p.part[region[i]!] !== to[i]) valid = false;
      }
      if (!valid) continue;
      const delta = p.delta(region, to);
      if (!best || compareCost(delta, best.delta) < 0) best = { delta, to: to.slice() };
    }
  }
  if (!best || compareCost(best.delta, [0, 0, 0, 0, 0, 0]) >= 0) return false;
  p.apply(region, best.to);
  return true;
}

/**
 * Merges a few adjacent grids (a path in the grid adjacency) and divides the region again into as many by
 * recursive bisection: what a pair cannot do when a grid short of households has only neighbours with none to
 * spare, while theirs have. Parts holding locked units take their grids; the others take the grid they overlap
 * most (all orders are tried for three or fewer). Applies the best division only if it improves the objective.
 */
export function resplitMany(p: Partition, slots: readonly number[], random: Random, attempts: number): boolean {
  const g = p.g;
  const region = unitsOf(p, slots);
  const anchors = new Int32Array(g.n).fill(-1);
  for (const u of region) if (p.lockedUnit[u]) anchors[u] = p.part[u]!;
  let best: { delta: Cost; units: number[]; to: number[] } | null = null;
  const exact = exactFits(region.length, slots.length, 20_000);
  for (let attempt = 0; attempt < (exact ? 1 : attempts); attempt++) {
    const parts = exact
      ? exactPartition(g, region, slots.length, anchors)
      : partitionRegion(g, region, slots.length, random, anchors, 0.4);
    if (!parts) continue;
    for (const label of labellings(p, parts, slots)) {
      const units: number[] = [];
      const to: number[] = [];
      let valid = true;
      parts.forEach((part, i) => {
        for (const u of part) {
          if (p.lockedUnit[u] && p.part[u] !== label[i]) valid = false;
          units.push(u);
          to.push(label[i]!);
        }
      });
      if (!valid) continue;
      const delta = p.delta(units, to);
      if (!best || compareCost(delta, best.delta) < 0) best = { delta, units, to };
    }
  }
  if (!best || compareCost(best.delta, [0, 0, 0, 0, 0, 0]) >= 0) return false;
  p.apply(best.units, best.to);
  return true;
}

/** Ways to give the parts the slots: every order for three or fewer, else greedily by overlap. */
function labellings(p: Partition, parts: readonly number[][], slots: readonly number[]): number[][] {
  if (slots.length <= 3) {
    const out: number[][] = [];
    const rec = (prefix: number[], rest: number[]) => {
      if (rest.length === 0) out.push(prefix);
      rest.forEach((s, i) => {
        rec([...prefix, s], [...rest.slice(0, i), ...rest.slice(i + 1)]);
      });
    };
    rec([], [...slots]);
    return out;
  }
  const overlap: { part: number; slot: number; weight: number }[] = [];
  parts.forEach((members, i) => {
    const by = new Map<number, number>();
    for (const u of members) {
      const weight = p.lockedUnit[u] ? 1e9 : p.g.hh[u]! + 1e-3;
      by.set(p.part[u]!, (by.get(p.part[u]!) ?? 0) + weight);
    }
    for (const [slot, weight] of by) overlap.push({ part: i, slot, weight });
  });
  overlap.sort((a, b) => b.weight - a.weight || a.slot - b.slot || a.part - b.part);
  const label = new Array<number>(parts.length).fill(-1);
  const used = new Set<number>();
  for (const o of overlap) {
    if (label[o.part] !== -1 || used.has(o.slot)) continue;
    label[o.part] = o.slot;
    used.add(o.slot);
  }
  const free = slots.filter((s) => !used.has(s));
  return [label.map((l) => (l === -1 ? free.shift()! : l))];
}

/** Regions of at most this many units, with few enough divisions, are divided into k grids by trying them all. */
const exactUnits = 12;
const exactDivisions = 200_000;

/** The number of ways to cut n units into k non-empty groups (Stirling numbers of the second kind), capped. */
function divisions(n: number, k: number): number {
  let row = [1];
  for (let i = 1; i <= n; i++) {
    const next = new Array<number>(Math.min(i, k) + 1).fill(0);
    for (let j = 1; j <= Math.min(i, k); j++) next[j] = Math.min(1e12, j * (row[j] ?? 0) + (row[j - 1] ?? 0));
    row = next;
  }
  return row[k] ?? 0;
}

/**
 * Whether {@link exactPartition} will take a region of n units into k grids; `limit` caps the divisions tried
 * (lower inside the search loop, which may ask many times, than for a whole small community, asked once).
 */
export function exactFits(n: number, k: number, limit = exactDivisions): boolean {
  return n <= exactUnits && k >= 1 && divisions(n, k) <= limit;
}

/**
 * The best division of a small connected region into k contiguous grids, trying every one: ranked by grids out of
 * band, households out of band, extra pieces of buildings and compounds, boundary cost. Anchored units of one grid
 * stay together and apart from other grids' anchors. Null when no division is contiguous.
 */
export function exactPartition(
  g: CommunityGraph,
  region: readonly number[],
  k: number,
  anchors: Anchors | null,
): number[][] | null {
  const n = region.length;
  const local = new Map(region.map((u, i) => [u, i]));
  const adjMask = new Int32Array(n);
  const edges: { a: number; b: number; cost: number }[] = [];
  region.forEach((u, i) => {
    for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
      const j = local.get(g.adj[e]!);
      if (j === undefined) continue;
      adjMask[i]! |= 1 << j;
      if (j > i) edges.push({ a: i, b: j, cost: g.cost[e]! });
    }
  });
  const hh = region.map((u) => g.hh[u]!);
  const denseKey = (key: Int32Array) => {
    const ids = new Map<number, number>();
    return Int32Array.from(region, (u) => {
      const k = key[u]!;
      if (k < 0) return -1;
      if (!ids.has(k)) ids.set(k, ids.size);
      return ids.get(k)!;
    });
  };
  const building = denseKey(g.building);
  const compound = denseKey(g.compound);
  const anchor = region.map((u) => (anchors ? anchors[u]! : -1));
  const anchored = anchor.some((a) => a >= 0);
  const seenBits = new Int32Array(n);
  const connected = (mask: number) => maskConnected(adjMask, mask);
  const pieces = (key: Int32Array, labels: Int32Array) => {
    seenBits.fill(0);
    let extra = 0;
    for (let i = 0; i < n; i++) {
      const k = key[i]!;
      if (k < 0) continue;
      const bit = 1 << labels[i]!;
      const had = seenBits[k]!;
      if (had & bit) continue;
      if (had) extra++;
      seenBits[k] = had | bit;
    }
    return extra;
  };
  const masks = new Int32Array(k);
  const sums = new Float64Array(k);
  const labels = new Int32Array(n);
  let best: { score: number[]; labels: Int32Array } | null = null;
  const evaluate = () => {
    masks.fill(0);
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      masks[labels[i]!]! |= 1 << i;
      sums[labels[i]!]! += hh[i]!;
    }
    if (anchored) {
      const anchorOf = new Map<number, number>();
      const labelOf = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const a = anchor[i]!;
        if (a < 0) continue;
        if ((anchorOf.get(labels[i]!) ?? a) !== a || (labelOf.get(a) ?? labels[i]!) !== labels[i]) return;
        anchorOf.set(labels[i]!, a);
        labelOf.set(a, labels[i]!);
      }
    }
    let out = 0;
    let dev = 0;
    for (let l = 0; l < k; l++) {
      const d = bandDeviation(sums[l]!, g.band);
      if (d > 0) {
        out++;
        dev += d;
      }
    }
    if (best && (out > best.score[0]! || (out === best.score[0] && dev > best.score[1]!))) return;
    for (let l = 0; l < k; l++) if (!connected(masks[l]!)) return;
    let cut = 0;
    for (const e of edges) if (labels[e.a] !== labels[e.b]) cut += e.cost;
    const score = [out, dev, pieces(building, labels), pieces(compound, labels), cut];
    if (!best || lexLess(score, best.score)) best = { score, labels: labels.slice() };
  };
  const rec = (i: number, used: number) => {
    if (n - i < k - used) return;
    if (i === n) {
      evaluate();
      return;
    }
    for (let l = 0; l <= Math.min(used, k - 1); l++) {
      labels[i] = l;
      rec(i + 1, Math.max(used, l + 1));
    }
  };
  rec(0, 0);
  if (!best) return null;
  const found = (best as { labels: Int32Array }).labels;
  const parts: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) parts[found[i]!]!.push(region[i]!);
  return parts;
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i]! - b[i]!) > 1e-9) return a[i]! < b[i]!;
  }
  return false;
}

/**
 * Whether the members of `mask` (bit i: unit i of a small region) form one piece, `adjMask[i]` holding unit i's
 * neighbours as bits: grows from the lowest member until nothing is added.
 */
function maskConnected(adjMask: Int32Array, mask: number): boolean {
  let seen = mask & -mask;
  for (;;) {
    let grow = seen;
    for (let i = 0; i < adjMask.length; i++) if (seen & (1 << i)) grow |= adjMask[i]! & mask;
    if (grow === seen) return seen === mask;
    seen = grow;
  }
}
