import type { Forcing } from "./rebalance.exact.ts";
import type { CommunityGraph } from "./rebalance.graph.ts";
import { type BinaryProgram, highsSolver, solveBinary } from "./rebalance.highs.ts";

/**
 * A region of the relaxation: parcels of at least a quarter of the band's minimum ("heavy") that reach each other
 * directly or through light parcels. No grid holds heavy parcels of two regions, so bounds of regions add up.
 */
export interface BoundRegion {
  /** Heavy parcels of the region. */
  units: number[];
  /** At least this many of the region's grids are out of band in any plan under the over-full rule. */
  bound: number;
  /** Why: a parcel above the maximum, or the households do not add up to the band. */
  reason: "oversized_parcel" | "packing" | "none";
  /** Heavy parcels of the groups the relaxation's optimum leaves out of band (what to name). */
  stuck: number[];
}

export interface OutOfBandBound {
  /** No plan under the band and over-full rules has fewer grids out of band; null when it could not be computed. */
  out_of_band_lower_bound: number | null;
  status: "optimal" | "time_limit" | "too_large";
  regions: BoundRegion[];
  seconds: number;
}

/** Above this many groups per heavy parcel of a region, the relaxation is solved without presolve. */
const PRESOLVE_GROUPS_PER_PARCEL = 400;

/** Heavy groups enumerated at most, per community: beyond it the bound is not computed rather than wrong. */
const groupCap = 150_000;

/**
 * Proves a lower bound on the grids out of band. The relaxation: every parcel with fewer than band.min / 4
 * households becomes a free connector — any grid may pass through it, and its households may lift any grid that
 * falls short (together no more than they hold). The heavy parcels must still be divided into groups connected
 * through connectors, each at most the maximum unless a parcel above the maximum forces it. Every real plan is a
 * solution of this relaxation with no more grids out of band, so the relaxation's optimum (an exact MIP, HiGHS)
 * bounds the real problem from below.
 */
export async function outOfBandBound(
  g: CommunityGraph,
  forcing: Forcing,
  time_limit_s = 5,
  /** A plan to start from (its grids' heavy parcels): the solver then often only has to prove it optimal. */
  start?: Int32Array,
): Promise<OutOfBandBound> {
  const t0 = performance.now();
  const threshold = g.band.min / 4;
  const heavy = Uint8Array.from(g.hh, (h) => (h >= threshold && h > 0 ? 1 : 0));
  let light = 0;
  for (let u = 0; u < g.n; u++) if (!heavy[u]) light += g.hh[u]!;
  // Heavy parcels reaching each other through light ones.
  const near: number[][] = Array.from({ length: g.n }, () => []);
  const seen = new Int32Array(g.n).fill(-1);
  for (let u = 0; u < g.n; u++) {
    if (!heavy[u]) continue;
    const queue = [u];
    seen[u] = u;
    for (let i = 0; i < queue.length; i++) {
      const x = queue[i]!;
      for (let e = g.xadj[x]!; e < g.xadj[x + 1]!; e++) {
        const v = g.adj[e]!;
        if (seen[v] === u) continue;
        seen[v] = u;
        if (heavy[v]) near[u]!.push(v);
        else queue.push(v);
      }
    }
  }
  // Regions: components of heavy parcels under `near`.
  const regionOf = new Int32Array(g.n).fill(-1);
  const regions: number[][] = [];
  for (let u = 0; u < g.n; u++) {
    if (!heavy[u] || regionOf[u]! >= 0) continue;
    const list = [u];
    regionOf[u] = regions.length;
    for (let i = 0; i < list.length; i++)
      for (const v of near[list[i]!]!)
        if (regionOf[v]! < 0) {
          regionOf[v] = regions.length;
          list.push(v);
        }
    regions.push(list);
  }
  const gridHH = new Map<number, number>();
  if (start) for (let u = 0; u < g.n; u++) gridHH.set(start[u]!, (gridHH.get(start[u]!) ?? 0) + g.hh[u]!);
  const inBand = (s: number) => gridHH.get(s)! >= g.band.min && gridHH.get(s)! <= g.band.max;
  const out: BoundRegion[] = [];
  let status: OutOfBandBound["status"] = "optimal";
  let total = 0;
  const highs = await highsSolver();
  for (const units of regions) {
    if (units.some((u) => forcing.parcel[u])) {
      // Its grid is over the maximum whatever else it holds, and it may hold any heavy parcel of the region.
      out.push({ units, bound: 1, reason: "oversized_parcel", stuck: units.filter((u) => forcing.parcel[u]) });
      total += 1;
      continue;
    }
    if (start && units.every((u) => inBand(start[u]!))) {
      // The plan puts every heavy parcel of the region in a grid in band: that is a solution of the relaxation
      // with nothing out of band, so its optimum is 0 without asking HiGHS (which, on a region of tens of
      // thousands of groups, can overrun its time limit many times over).
      out.push({ units, bound: 0, reason: "none", stuck: [] });
      continue;
    }
    const groups = enumerateGroups(g, units, near, heavy);
    if (groups === null) {
      return {
        out_of_band_lower_bound: null,
        status: "too_large",
        regions: [],
        seconds: (performance.now() - t0) / 1000,
      };
    }
    const solved = solveRegion(
      highs,
      g,
      units,
      groups,
      light,
      Math.max(0.2, time_limit_s - (performance.now() - t0) / 1000),
      start,
    );
    if (solved.status !== "optimal") status = "time_limit";
    out.push({ units, bound: solved.bound, reason: solved.bound > 0 ? "packing" : "none", stuck: solved.stuck });
    total += solved.bound;
  }
  return { out_of_band_lower_bound: total, status, regions: out, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Every group of heavy parcels of the region connected through `near`, with at most the band's maximum of
 * households (ESU enumeration: each connected set once). Null beyond {@link groupCap}.
 */
function enumerateGroups(
  g: CommunityGraph,
  region: readonly number[],
  near: readonly number[][],
  heavy: Uint8Array,
): Int32Array[] | null {
  const max = g.band.max;
  const groups: Int32Array[] = [];
  const inS = new Uint8Array(g.n);
  const blocked = new Int32Array(g.n);
  const members: number[] = [];
  let overflow = false;
  const extend = (hh: number, ext: number[], v: number) => {
    if (overflow) return;
    groups.push(Int32Array.from(members));
    if (groups.length > groupCap) {
      overflow = true;
      return;
    }
    const rest = [...ext];
    while (rest.length > 0) {
      const w = rest.pop()!;
      if (hh + g.hh[w]! > max) continue;
      const added: number[] = [];
      for (const x of near[w]!) {
        if (x <= v || inS[x] || blocked[x]) continue;
        added.push(x);
      }
      members.push(w);
      inS[w] = 1;
      for (const x of near[w]!) blocked[x]!++;
      extend(hh + g.hh[w]!, [...rest, ...added], v);
      for (const x of near[w]!) blocked[x]!--;
      inS[w] = 0;
      members.pop();
      if (overflow) return;
    }
  };
  for (const v of region) {
    if (!heavy[v] || g.hh[v]! > max) continue;
    members.push(v);
    inS[v] = 1;
    blocked[v]!++;
    for (const x of near[v]!) blocked[x]!++;
    extend(
      g.hh[v]!,
      near[v]!.filter((x) => x > v),
      v,
    );
    for (const x of near[v]!) blocked[x]!--;
    blocked[v]!--;
    inS[v] = 0;
    members.pop();
    if (overflow) return null;
  }
  return groups;
}

/**
 * The relaxed MIP of one region: every heavy parcel in exactly one group; a group below the minimum is out of
 * band (cost 1) unless it is lifted by light households, which all lifted groups share.
 */
function solveRegion(
  highs: Awaited<ReturnType<typeof highsSolver>>,
  g: CommunityGraph,
  region: readonly number[],
  groups: readonly Int32Array[],
  light: number,
  time_limit_s: number,
  start: Int32Array | undefined,
): { bound: number; status: string; stuck: number[] } {
  const row = new Map(region.map((u, i) => [u, i]));
  const lightRow = region.length;
  const columns: Int32Array[] = [];
  const values: Float64Array[] = [];
  const cost: number[] = [];
  const groupOf: number[] = [];
  groups.forEach((grp, k) => {
    const hh = grp.reduce((a, u) => a + g.hh[u]!, 0);
    const rows = Int32Array.from(grp, (u) => row.get(u)!);
    if (hh >= g.band.min) {
      columns.push(rows);
      values.push(new Float64Array(rows.length).fill(1));
      cost.push(0);
      groupOf.push(k);
      return;
    }
    columns.push(rows);
    values.push(new Float64Array(rows.length).fill(1));
    cost.push(1);
    groupOf.push(k);
    const need = g.band.min - hh;
    if (need <= light) {
      columns.push(Int32Array.from([...rows, lightRow]));
      values.push(Float64Array.from([...rows.map(() => 1), need]));
      cost.push(0);
      groupOf.push(-1 - k);
    }
  });
  const x0 = start ? startPoint(g, region, groups, groupOf, cost, start) : undefined;
  const rowLower = new Float64Array(region.length + 1).fill(1);
  const rowUpper = new Float64Array(region.length + 1).fill(1);
  rowLower[lightRow] = 0;
  rowUpper[lightRow] = light;
  const program: BinaryProgram = {
    cost: Float64Array.from(cost),
    columns,
    values,
    rowLower,
    rowUpper,
    time_limit_s,
    // The objective counts grids: a solution within 1 of the bound is optimal.
    abs_gap: 0.999,
    // A region of few heavy parcels among many light ones has hundreds of groups per parcel (84,724 groups of 52
    // parcels in a 741-parcel block community): there HiGHS's presolve, which does not watch the clock, ran 10–20 s
    // past a 2-s limit, while without it the same model is solved to optimality in 2 s.
    presolve: columns.length <= PRESOLVE_GROUPS_PER_PARCEL * region.length,
    ...(x0 ? { start: x0 } : {}),
  };
  const r = solveBinary(highs, program);
  const bound = Number.isFinite(r.bound) ? Math.max(0, Math.ceil(r.bound - 1e-6)) : 0;
  const stuck: number[] = [];
  if (r.x)
    r.x.forEach((x, j) => {
      if (x > 0.5 && cost[j]! > 0) stuck.push(...groups[groupOf[j]!]!);
    });
  return { bound, status: r.status, stuck };
}

/**
 * The relaxation's solution a plan gives: each grid's heavy parcels of the region as one group, in band, lifted
 * by the grid's own light households, or below. Undefined when a grid holds more than the maximum unforced.
 */
function startPoint(
  g: CommunityGraph,
  region: readonly number[],
  groups: readonly Int32Array[],
  groupOf: readonly number[],
  cost: readonly number[],
  part: Int32Array,
): Float64Array | undefined {
  const inRegion = new Set(region);
  const key = (units: ArrayLike<number>) =>
    Array.from(units)
      .sort((a, b) => a - b)
      .join(",");
  const index = new Map<string, number>();
  groups.forEach((grp, k) => {
    index.set(key(grp), k);
  });
  const columnOf = new Map<string, number>();
  groupOf.forEach((k, j) => {
    const variant = k >= 0 ? (cost[j]! > 0 ? "under" : "in") : "lifted";
    columnOf.set(`${k >= 0 ? k : -1 - k}:${variant}`, j);
  });
  const byGrid = new Map<number, number[]>();
  for (const u of region) byGrid.set(part[u]!, [...(byGrid.get(part[u]!) ?? []), u]);
  const gridHH = new Map<number, number>();
  for (let u = 0; u < g.n; u++) if (!inRegion.has(u)) gridHH.set(part[u]!, (gridHH.get(part[u]!) ?? 0) + g.hh[u]!);
  const x = new Float64Array(groupOf.length);
  for (const [s, units] of byGrid) {
    const k = index.get(key(units));
    if (k === undefined) return undefined;
    const hh = units.reduce((a, u) => a + g.hh[u]!, 0);
    const total = hh + (gridHH.get(s) ?? 0);
    const variant = hh >= g.band.min ? "in" : total >= g.band.min && total <= g.band.max ? "lifted" : "under";
    const j = columnOf.get(`${k}:${variant}`) ?? columnOf.get(`${k}:under`);
    if (j === undefined) return undefined;
    x[j] = 1;
  }
  return x;
}
