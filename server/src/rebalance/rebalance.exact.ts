import { bandDeviation, type CommunityGraph } from "./rebalance.graph.ts";
import { type BinaryProgram, highsSolver, solveBinary } from "./rebalance.highs.ts";
import type { Partition } from "./rebalance.partition.ts";
import type { CommunityProblem } from "./rebalance.problem.ts";
import { freshIds, makePartition } from "./rebalance.start.ts";

/**
 * The over-full rule: a grid above the band's maximum is acceptable only when one unit forces it — a parcel with
 * more households than the maximum, or, when the planner keeps buildings whole, a whole building with more. With
 * `split_buildings` (the default) such a building is divided along its entrances instead.
 */
export type OverFullRule = "split_buildings" | "keep_buildings";

/** What forces a grid over the maximum: parcels, and (keeping buildings whole) buildings, above it. */
export interface Forcing {
  parcel: Uint8Array;
  /** Buildings above the maximum, when the rule keeps buildings whole; else empty. */
  building: Uint8Array;
}

export function forcingUnits(g: CommunityGraph, rule: OverFullRule): Forcing {
  const parcel = Uint8Array.from(g.hh, (h) => (h > g.band.max ? 1 : 0));
  const building = new Uint8Array(g.buildingCount);
  if (rule === "keep_buildings") {
    const hh = buildingHouseholds(g);
    for (let b = 0; b < g.buildingCount; b++) if (hh[b]! > g.band.max) building[b] = 1;
  }
  return { parcel, building };
}

export function buildingHouseholds(g: CommunityGraph): Float64Array {
  const hh = new Float64Array(g.buildingCount);
  for (let u = 0; u < g.n; u++) if (g.building[u]! >= 0) hh[g.building[u]!]! += g.hh[u]!;
  return hh;
}

/**
 * The lexicographic objective of issue 19: grids out of band, building pieces beyond one per building, compound
 * pieces beyond one, the weighted boundary. Grids over the maximum that nothing forces count first of all.
 */
export type ExactCost = [
  unforcedOver: number,
  outOfBand: number,
  buildings: number,
  compounds: number,
  boundary: number,
];

export function compareExact(a: ExactCost, b: ExactCost): number {
  for (let t = 0; t < 4; t++) if (a[t] !== b[t]) return a[t]! - b[t]!;
  const d = a[4] - b[4];
  return Math.abs(d) < 1e-6 ? 0 : d;
}

/** Grids over the maximum that hold no unit forcing it: what the over-full rule forbids. */
export function unforcedOver(g: CommunityGraph, part: Int32Array, forcing: Forcing): Set<number> {
  const hh = new Map<number, number>();
  const forced = new Set<number>();
  const bIn = new Map<number, number>();
  const bSize = new Int32Array(g.buildingCount);
  for (let u = 0; u < g.n; u++) if (g.building[u]! >= 0) bSize[g.building[u]!]!++;
  for (let u = 0; u < g.n; u++) {
    const s = part[u]!;
    hh.set(s, (hh.get(s) ?? 0) + g.hh[u]!);
    if (forcing.parcel[u]) forced.add(s);
    const b = g.building[u]!;
    if (b >= 0 && forcing.building[b]) {
      const k = b * (g.n + 1) + s;
      const c = (bIn.get(k) ?? 0) + 1;
      bIn.set(k, c);
      if (c === bSize[b]) forced.add(s);
    }
  }
  const out = new Set<number>();
  for (const [s, h] of hh) if (h > g.band.max && !forced.has(s)) out.add(s);
  return out;
}

export function exactCost(p: Partition, forcing: Forcing): ExactCost {
  const c = p.cost();
  return [unforcedOver(p.g, p.part, forcing).size, c[0], c[2], c[3], c[5]];
}

/** Weights that make one weighted sum lexicographic: no lower tier can add up to one unit of the tier above. */
const W_OUT = 1e7;
const W_BUILDING = 1e4;
const W_COMPOUND = 30;
/** The whole boundary of the community is worth less than one compound piece. */
const BOUNDARY_TOTAL = 20;

/**
 * The candidate grids of one community: connected groups of units, each once, with what it would cost as a grid.
 * Grids over the maximum that nothing forces are never candidates.
 */
export class ColumnPool {
  readonly units: Int32Array[] = [];
  readonly cost: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly mark: Int32Array;
  private stamp = 0;
  private readonly bSize: Int32Array;
  private readonly cSize: Int32Array;
  private readonly wBoundary: number;

  constructor(
    readonly g: CommunityGraph,
    private readonly forcing: Forcing,
  ) {
    this.mark = new Int32Array(g.n);
    this.bSize = new Int32Array(g.buildingCount);
    this.cSize = new Int32Array(g.compoundCount);
    for (let u = 0; u < g.n; u++) {
      if (g.building[u]! >= 0) this.bSize[g.building[u]!]!++;
      if (g.compound[u]! >= 0) this.cSize[g.compound[u]!]!++;
    }
    let total = 0;
    for (let e = 0; e < g.adj.length; e++) total += g.cost[e]!;
    this.wBoundary = BOUNDARY_TOTAL / Math.max(1, total / 2);
  }

  get size(): number {
    return this.units.length;
  }

  indexOf(units: readonly number[] | Int32Array): number {
    return this.index.get(Int32Array.from(units).sort().join(",")) ?? -1;
  }

  /** Adds a group if it is connected, new and allowed; returns its index or -1. */
  add(members: readonly number[] | Int32Array): number {
    if (members.length === 0) return -1;
    const sorted = Int32Array.from(members).sort();
    const key = sorted.join(",");
    const known = this.index.get(key);
    if (known !== undefined) return known;
    const g = this.g;
    const stamp = ++this.stamp;
    for (const u of sorted) this.mark[u] = stamp;
    // Connected (rook: the graph's edges are shared boundaries of positive length) by a walk inside the group.
    const queue = [sorted[0]!];
    const seen = new Set<number>(queue);
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i]!;
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const v = g.adj[e]!;
        if (this.mark[v] === stamp && !seen.has(v)) {
          seen.add(v);
          queue.push(v);
        }
      }
    }
    if (seen.size !== sorted.length) return -1;
    let hh = 0;
    let forced = false;
    let cut = 0;
    const bIn = new Map<number, number>();
    const cIn = new Map<number, number>();
    for (const u of sorted) {
      hh += g.hh[u]!;
      if (this.forcing.parcel[u]) forced = true;
      const b = g.building[u]!;
      if (b >= 0) bIn.set(b, (bIn.get(b) ?? 0) + 1);
      const c = g.compound[u]!;
      if (c >= 0) cIn.set(c, (cIn.get(c) ?? 0) + 1);
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) if (this.mark[g.adj[e]!] !== stamp) cut += g.cost[e]!;
    }
    for (const [b, n] of bIn) if (n === this.bSize[b] && this.forcing.building[b]) forced = true;
    if (hh > g.band.max && !forced) return -1;
    let pieces = 0;
    for (const [b, n] of bIn) if (n < this.bSize[b]!) pieces++;
    let cPieces = 0;
    for (const [c, n] of cIn) if (n < this.cSize[c]!) cPieces++;
    const out = bandDeviation(hh, g.band) > 0 ? 1 : 0;
    const at = this.units.length;
    this.units.push(sorted);
    this.cost.push(out * W_OUT + pieces * W_BUILDING + cPieces * W_COMPOUND + cut * this.wBoundary);
    this.index.set(key, at);
    return at;
  }
}

/** Grids (as unit lists) of an assignment. */
export function gridsOf(part: Int32Array): number[][] {
  const by = new Map<number, number[]>();
  part.forEach((s, u) => {
    const list = by.get(s);
    if (list) list.push(u);
    else by.set(s, [u]);
  });
  return [...by.values()];
}

/**
 * Candidates around an assignment: its grids; every unit alone (so that a cover always exists); each boundary
 * unit, and each grid's part of a building, moved to a neighbouring grid (both grids as they would be); every
 * building that fits a grid joined whole to each grid it lies in, the others giving it up; and connected groups
 * of up to `maxGroup` units in band, grown from the grids out of band and their neighbours, each with every grid
 * it overlaps less the group.
 */
export function addNeighbourhood(pool: ColumnPool, part: Int32Array, maxGroup = 5, groupCap = 6000): void {
  const g = pool.g;
  const grids = gridsOf(part);
  const slotOf = part;
  const members = new Map<number, number[]>();
  for (const list of grids) {
    members.set(slotOf[list[0]!]!, list);
    pool.add(list);
  }
  for (let u = 0; u < g.n; u++) pool.add([u]);
  const without = (s: number, leave: ReadonlySet<number>) => members.get(s)!.filter((u) => !leave.has(u));
  const moveTo = (units: readonly number[], from: number, to: number) => {
    const leave = new Set(units);
    pool.add(without(from, leave));
    pool.add([...members.get(to)!, ...units]);
  };
  for (let u = 0; u < g.n; u++) {
    const s = part[u]!;
    const targets = new Set<number>();
    for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) if (part[g.adj[e]!] !== s) targets.add(part[g.adj[e]!]!);
    if (targets.size === 0) continue;
    const b = g.building[u]!;
    const same = b >= 0 ? members.get(s)!.filter((v) => g.building[v] === b) : [u];
    for (const t of targets) {
      moveTo([u], s, t);
      if (same.length > 1) moveTo(same, s, t);
    }
  }
  const bHH = buildingHouseholds(g);
  const byBuilding = new Map<number, number[]>();
  for (let u = 0; u < g.n; u++) {
    const b = g.building[u]!;
    if (b >= 0) byBuilding.set(b, [...(byBuilding.get(b) ?? []), u]);
  }
  for (const [b, units] of byBuilding) {
    const slots = new Set(units.map((u) => part[u]!));
    if (slots.size < 2 || bHH[b]! > g.band.max) continue;
    const leave = new Set(units);
    for (const s of slots) {
      pool.add([...new Set([...members.get(s)!, ...units])]);
      for (const t of slots) if (t !== s) pool.add(without(t, leave));
    }
  }
  // Small groups in band, from the places where the assignment falls short.
  const hh = new Map<number, number>();
  for (const [s, list] of members)
    hh.set(
      s,
      list.reduce((a, u) => a + g.hh[u]!, 0),
    );
  const troubled = new Set<number>();
  for (const [s, h] of hh) if (bandDeviation(h, g.band) > 0) troubled.add(s);
  for (const [s] of members) {
    if (!troubled.has(s)) continue;
    for (const u of members.get(s)!) for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) troubled.add(part[g.adj[e]!]!);
  }
  const seeds: number[] = [];
  for (const s of troubled) seeds.push(...members.get(s)!);
  let made = 0;
  const seen = new Set<string>();
  for (const start of seeds) {
    if (made >= groupCap) break;
    let frontier: number[][] = [[start]];
    for (let size = 1; size <= maxGroup && frontier.length > 0 && made < groupCap; size++) {
      const next: number[][] = [];
      for (const group of frontier) {
        const h = group.reduce((a, u) => a + g.hh[u]!, 0);
        if (h >= g.band.min && h <= g.band.max) {
          const key = [...group].sort((a, b) => a - b).join(",");
          if (!seen.has(key)) {
            seen.add(key);
            made++;
            pool.add(group);
            const leave = new Set(group);
            for (const s of new Set(group.map((u) => part[u]!))) pool.add(without(s, leave));
          }
          continue;
        }
        if (size === maxGroup || h > g.band.max) continue;
        const inGroup = new Set(group);
        for (const u of group) {
          for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
            const v = g.adj[e]!;
            if (inGroup.has(v) || v < start) continue;
            if (h + g.hh[v]! > g.band.max) continue;
            next.push([...group, v]);
          }
        }
      }
      const unique = new Map<string, number[]>();
      for (const grp of next) unique.set([...grp].sort((a, b) => a - b).join(","), grp);
      frontier = [...unique.values()].slice(0, 400);
    }
  }
}

export interface CoverResult {
  part: Int32Array;
  status: "optimal" | "time_limit" | "infeasible" | "other";
  columns: number;
}

/**
 * The best exact cover of the community by candidates of the pool (set partitioning: every unit in exactly one
 * chosen grid), started from `start` (an assignment whose grids are all in the pool). With `grids`, exactly that
 * many grids.
 *
 * With `window` (a union of whole grids of `start`), only the window is covered again, by the candidates that lie
 * inside it, and the grids outside stay as they are: a grid's cost depends on it alone, so the best cover of the
 * window is the best plan that keeps the rest. With `grids`, the window keeps its number of grids.
 */
export async function bestCover(
  pool: ColumnPool,
  start: Int32Array,
  time_limit_s: number,
  grids?: number,
  window?: Uint8Array,
): Promise<CoverResult> {
  const g = pool.g;
  // Rows: the units covered (all, or the window's), numbered 0…; -1 outside.
  const row = new Int32Array(g.n).fill(-1);
  let rows = 0;
  for (let u = 0; u < g.n; u++) if (!window || window[u]) row[u] = rows++;
  const startGrids = gridsOf(start).filter((list) => row[list[0]!]! >= 0);
  const count = grids === undefined ? undefined : window ? startGrids.length : grids;
  const extraRow = count !== undefined ? 1 : 0;
  const chosen: number[] = [];
  const columns: Int32Array[] = [];
  for (let j = 0; j < pool.size; j++) {
    const units = pool.units[j]!;
    const rowsOf = new Int32Array(units.length + extraRow);
    let inside = true;
    for (let i = 0; i < units.length && inside; i++) {
      rowsOf[i] = row[units[i]!]!;
      inside = rowsOf[i]! >= 0;
    }
    if (!inside) continue;
    if (extraRow) rowsOf[units.length] = rows;
    chosen.push(j);
    columns.push(rowsOf);
  }
  const rowLower = new Float64Array(rows + extraRow).fill(1);
  const rowUpper = new Float64Array(rows + extraRow).fill(1);
  if (count !== undefined) {
    rowLower[rows] = count;
    rowUpper[rows] = count;
  }
  const x0 = new Float64Array(chosen.length);
  const at = new Map(chosen.map((j, k) => [j, k]));
  for (const list of startGrids) {
    const k = at.get(pool.indexOf(list));
    if (k !== undefined) x0[k] = 1;
  }
  const program: BinaryProgram = {
    cost: Float64Array.from(chosen, (j) => pool.cost[j]!),
    columns,
    rowLower,
    rowUpper,
    start: x0,
    time_limit_s,
  };
  const highs = await highsSolver();
  const r = solveBinary(highs, program);
  if (!r.x) return { part: start, status: r.status, columns: chosen.length };
  const part = Int32Array.from(start);
  for (let u = 0; u < g.n; u++) if (row[u]! >= 0) part[u] = -1;
  // New grids take slot numbers after every slot of the start.
  let slot = 0;
  for (const s of start) slot = Math.max(slot, s + 1);
  for (let k = 0; k < chosen.length; k++) {
    if (r.x[k]! < 0.5) continue;
    for (const u of pool.units[chosen[k]!]!) part[u] = slot;
    slot++;
  }
  if (part.some((s) => s < 0)) return { part: start, status: "other", columns: chosen.length };
  return { part, status: r.status, columns: chosen.length };
}

/** Gives the grids of `part` the ids of the grids of `reference` they overlap most, fresh ids to the rest. */
export function labelGrids(
  problem: CommunityProblem,
  part: Int32Array,
  reference: Int32Array,
  referenceIds: readonly string[],
): { p: Partition; ids: string[] } {
  const g = problem.g;
  const grids = gridsOf(part);
  const overlaps: { grid: number; id: string; hh: number; units: number }[] = [];
  grids.forEach((list, i) => {
    const by = new Map<string, { hh: number; units: number }>();
    for (const u of list) {
      const id = referenceIds[reference[u]!]!;
      const v = by.get(id) ?? { hh: 0, units: 0 };
      v.hh += g.hh[u]!;
      v.units++;
      by.set(id, v);
    }
    for (const [id, v] of by) overlaps.push({ grid: i, id, ...v });
  });
  overlaps.sort((a, b) => b.hh - a.hh || b.units - a.units || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.grid - b.grid));
  const label = new Array<string | null>(grids.length).fill(null);
  const used = new Set<string>();
  for (const o of overlaps) {
    if (label[o.grid] !== null || used.has(o.id)) continue;
    label[o.grid] = o.id;
    used.add(o.id);
  }
  const fresh = grids.flatMap((_, i) => (label[i] === null ? [i] : []));
  const newIds = freshIds(
    problem,
    fresh.length,
    fresh.map((i) => grids[i]!),
    [...used],
  );
  fresh.forEach((i, k) => {
    label[i] = newIds[k]!;
  });
  const ids = label as string[];
  const out = new Int32Array(g.n);
  grids.forEach((list, i) => {
    for (const u of list) out[u] = i;
  });
  return { p: makePartition(problem, out, ids.length), ids };
}

/**
 * The assignment made to follow the over-full rule: from every grid over the maximum that nothing forces, units
 * whose leaving keeps it connected move out — to a neighbouring grid with room (one below the band first), else
 * into a grid of their own — until it fits. Gives the exact cover a complete start.
 */
export function followOverFullRule(
  g: CommunityGraph,
  part: Int32Array,
  forcing: Forcing,
  /** Units that must stay where they are (locked): never moved, and their grids take no one. */
  fixed?: Uint8Array,
  /** Whether a unit with no neighbour to take it may become a grid of its own (not when the count is fixed). */
  newGrids = true,
): Int32Array {
  const out = Int32Array.from(part);
  let slots = 0;
  for (const s of out) slots = Math.max(slots, s + 1);
  const hh = new Float64Array(slots + g.n);
  for (let u = 0; u < g.n; u++) hh[out[u]!]! += g.hh[u]!;
  const closed = new Set<number>();
  if (fixed) for (let u = 0; u < g.n; u++) if (fixed[u]) closed.add(out[u]!);
  for (const s of unforcedOver(g, out, forcing)) {
    const members = new Set<number>();
    for (let u = 0; u < g.n; u++) if (out[u] === s) members.add(u);
    while (hh[s]! > g.band.max && members.size > 1) {
      const excess = hh[s]! - g.band.max;
      const removable = [...members].filter((u) => g.hh[u]! > 0 && !fixed?.[u] && connectedWithout(g, members, u));
      if (removable.length === 0) break;
      // The smallest unit that removes the excess alone, else the largest.
      removable.sort((a, b) => g.hh[a]! - g.hh[b]!);
      const u = removable.find((x) => g.hh[x]! >= excess) ?? removable.at(-1)!;
      let target = -1;
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const t = out[g.adj[e]!]!;
        if (t === s || closed.has(t) || hh[t]! + g.hh[u]! > g.band.max) continue;
        if (target < 0 || (hh[t]! < g.band.min && hh[target]! >= g.band.min) || hh[t]! < hh[target]!) target = t;
      }
      if (target < 0) {
        if (!newGrids) break;
        target = slots++;
      }
      members.delete(u);
      out[u] = target;
      hh[s]! -= g.hh[u]!;
      hh[target]! += g.hh[u]!;
    }
  }
  return out;
}

function connectedWithout(g: CommunityGraph, members: ReadonlySet<number>, leaving: number): boolean {
  let start = -1;
  for (const u of members)
    if (u !== leaving) {
      start = u;
      break;
    }
  if (start < 0) return false;
  const seen = new Set([start]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i]!;
    for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
      const v = g.adj[e]!;
      if (v !== leaving && members.has(v) && !seen.has(v)) {
        seen.add(v);
        queue.push(v);
      }
    }
  }
  return seen.size === members.size - 1;
}

/**
 * A window for {@link bestCover}: the grid `seed` of `part` and its neighbouring grids, nearest first (by steps
 * between grids), whole grids only, until the window holds about `units` units.
 */
export function gridWindow(g: CommunityGraph, part: Int32Array, seed: number, units: number): Uint8Array {
  const window = new Uint8Array(g.n);
  const members = new Map<number, number[]>();
  for (let u = 0; u < g.n; u++) {
    const list = members.get(part[u]!);
    if (list) list.push(u);
    else members.set(part[u]!, [u]);
  }
  const queue = [seed];
  const taken = new Set(queue);
  let size = 0;
  for (let i = 0; i < queue.length && size < units; i++) {
    const s = queue[i]!;
    for (const u of members.get(s) ?? []) {
      window[u] = 1;
      size++;
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const t = part[g.adj[e]!]!;
        if (!taken.has(t)) {
          taken.add(t);
          queue.push(t);
        }
      }
    }
  }
  return window;
}
