import type { Band } from "./rebalance.input.ts";

/**
 * How much more a grid boundary that cuts through a block costs than one that follows a road or water. Tier 4 of
 * the objective weighs boundary length this way, so among partitions equal on the higher tiers the engine prefers
 * boundaries along block edges, and otherwise the shortest (most compact) ones.
 */
export const offRoadFactor = 1.5;

/** One community's units as a weighted graph (compressed adjacency), the only thing the search works on. */
export interface CommunityGraph {
  community: string | null;
  band: Band;
  n: number;
  /** Index of each local unit in the input. */
  units: Int32Array;
  hh: Int32Array;
  /** Dense per-community indexes, -1 where the unit has none. */
  building: Int32Array;
  compound: Int32Array;
  block: Int32Array;
  buildingCount: number;
  compoundCount: number;
  /** Neighbours of u are adj[xadj[u] .. xadj[u+1]). */
  xadj: Int32Array;
  adj: Int32Array;
  /** Shared boundary length in metres. */
  len_m: Float64Array;
  /** Length weighted by {@link offRoadFactor} where the boundary does not follow a road. */
  cost: Float64Array;
  /** 1 where the shared boundary separates two blocks (a road or water runs along it). */
  road: Uint8Array;
  /** Boundary length on the community's outline (shared with no unit of the community). */
  outer_m: Float64Array;
  cx: Float64Array;
  cy: Float64Array;
  area_m2: Float64Array;
}

export interface GraphUnit {
  index: number;
  households: number;
  building: string | null;
  compound: string | null;
  block: string | null;
}

/**
 * Two units (input indexes) sharing `length_m` of boundary; `on_road` when known, else the boundary is taken to
 * follow a road when the units lie in different blocks.
 */
export interface SharedBoundary {
  a: number;
  b: number;
  length_m: number;
  on_road?: boolean | undefined;
}

/** Builds the graph of one community from its units and the shared lengths of pairs inside it. */
export function buildCommunityGraph(
  community: string | null,
  band: Band,
  members: readonly GraphUnit[],
  pairs: readonly SharedBoundary[],
  perimeter_m: Float64Array,
  centroidX: Float64Array,
  centroidY: Float64Array,
  area_m2: Float64Array,
): CommunityGraph {
  const n = members.length;
  const local = new Map<number, number>();
  members.forEach((m, i) => {
    local.set(m.index, i);
  });
  const dense = (key: (m: GraphUnit) => string | null) => {
    const ids = new Map<string, number>();
    const out = new Int32Array(n);
    members.forEach((m, i) => {
      const k = key(m);
      if (k === null) {
        out[i] = -1;
        return;
      }
      let id = ids.get(k);
      if (id === undefined) {
        id = ids.size;
        ids.set(k, id);
      }
      out[i] = id;
    });
    return { out, count: ids.size };
  };
  const building = dense((m) => m.building);
  const compound = dense((m) => m.compound);
  const block = dense((m) => m.block);
  const degree = new Int32Array(n + 1);
  const inside: SharedBoundary[] = [];
  for (const p of pairs) {
    const a = local.get(p.a);
    const b = local.get(p.b);
    if (a === undefined || b === undefined) continue;
    inside.push({ a, b, length_m: p.length_m, on_road: p.on_road });
    degree[a]!++;
    degree[b]!++;
  }
  const xadj = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) xadj[u + 1] = xadj[u]! + degree[u]!;
  const fill = Int32Array.from(xadj.subarray(0, n));
  const m2 = xadj[n]!;
  const adj = new Int32Array(m2);
  const len_m = new Float64Array(m2);
  const cost = new Float64Array(m2);
  const road = new Uint8Array(m2);
  const outer_m = new Float64Array(n);
  members.forEach((m, i) => {
    outer_m[i] = perimeter_m[m.index]!;
  });
  for (const { a, b, length_m, on_road } of inside) {
    const ba = block.out[a]!;
    const bb = block.out[b]!;
    const onRoad = (on_road ?? (ba >= 0 && bb >= 0 && ba !== bb)) ? 1 : 0;
    const c = onRoad ? length_m : length_m * offRoadFactor;
    for (const [u, v] of [
      [a, b],
      [b, a],
    ] as const) {
      const at = fill[u]!++;
      adj[at] = v;
      len_m[at] = length_m;
      cost[at] = c;
      road[at] = onRoad;
    }
    outer_m[a]! -= length_m;
    outer_m[b]! -= length_m;
  }
  for (let u = 0; u < n; u++) if (outer_m[u]! < 0) outer_m[u] = 0;
  return {
    community,
    band,
    n,
    units: Int32Array.from(members.map((m) => m.index)),
    hh: Int32Array.from(members.map((m) => m.households)),
    building: building.out,
    compound: compound.out,
    block: block.out,
    buildingCount: building.count,
    compoundCount: compound.count,
    xadj,
    adj,
    len_m,
    cost,
    road,
    outer_m,
    cx: Float64Array.from(members.map((m) => centroidX[m.index]!)),
    cy: Float64Array.from(members.map((m) => centroidY[m.index]!)),
    area_m2: Float64Array.from(members.map((m) => area_m2[m.index]!)),
  };
}

/**
 * Connected components of the subgraph induced by `inSet` (all units when absent), each a list of units in
 * breadth-first order from its lowest unit.
 */
export function components(g: CommunityGraph, inSet?: (u: number) => boolean): number[][] {
  const seen = new Uint8Array(g.n);
  const out: number[][] = [];
  for (let s = 0; s < g.n; s++) {
    if (seen[s] || (inSet && !inSet(s))) continue;
    const comp = [s];
    seen[s] = 1;
    for (let i = 0; i < comp.length; i++) {
      const u = comp[i]!;
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const v = g.adj[e]!;
        if (seen[v] || (inSet && !inSet(v))) continue;
        seen[v] = 1;
        comp.push(v);
      }
    }
    out.push(comp);
  }
  return out;
}

/** Households of a band violation: how far below min or above max. */
export function bandDeviation(households: number, band: Band): number {
  if (households < band.min) return band.min - households;
  if (households > band.max) return households - band.max;
  return 0;
}

/** The numbers of grids whose average lies in the band: [ceil(h/max), floor(h/min)], empty when lo > hi. */
export function gridRange(households: number, band: Band): { lo: number; hi: number } {
  const lo = Math.max(1, Math.ceil(households / Math.max(1, band.max)));
  const hi = band.min === 0 ? Number.POSITIVE_INFINITY : Math.floor(households / band.min);
  return { lo, hi };
}
