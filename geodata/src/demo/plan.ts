import type { Rng } from "./random.ts";

/** A parcel as the plan drawing sees it; x and y are its centroid in metres (metric CRS). */
export interface PlanUnit {
  id: number;
  communityCode: string;
  households: number;
  buildingId: number | null;
  compoundId: number | null;
  blockId: number;
  x: number;
  y: number;
}

/** Two parcels sharing a boundary of `sharedM` metres. */
export interface PlanEdge {
  a: number;
  b: number;
  sharedM: number;
}

/** Width of the rows in which grid codes are numbered west to east, rows taken north to south. */
const CODE_ROW_M = 400;

/** How a hand-drawn grid's size relates to the community's average: mostly a little under, some far off. */
const SIZE_FACTORS: readonly (readonly [[number, number], number])[] = [
  [[0.86, 1.02], 0.66],
  [[1.0, 1.1], 0.12],
  [[1.25, 1.4], 0.11],
  [[0.68, 0.8], 0.11],
];

/**
 * Draws a plan the way the 2022 grids were drawn by hand: starting in the north-west of each community, a grid
 * grows from a seed parcel over neighbouring parcels (staying in the compounds it has entered, then keeping
 * compact) until it reaches a household figure near the community's average, sometimes well over or under it.
 * Grids therefore cut compounds, and now and then a building. The last grid takes what is left; leftover pieces
 * cut off from it join the neighbouring grid they share most boundary with, so every grid is contiguous and
 * every parcel assigned. Returns parcel id → grid sequence within its community (numbered west to east, north
 * to south, from 1).
 */
export function drawPlan(
  units: readonly PlanUnit[],
  edges: readonly PlanEdge[],
  gridsPerCommunity: ReadonlyMap<string, number>,
  rng: Rng,
): Map<number, number> {
  const out = new Map<number, number>();
  const byCommunity = new Map<string, PlanUnit[]>();
  for (const u of units) byCommunity.set(u.communityCode, [...(byCommunity.get(u.communityCode) ?? []), u]);
  for (const [code, k] of [...gridsPerCommunity].sort((a, b) => a[0].localeCompare(b[0]))) {
    const us = (byCommunity.get(code) ?? []).slice().sort((a, b) => a.id - b.id);
    if (us.length < k) throw new Error(`community ${code} has ${us.length} parcels for ${k} grids`);
    const seqs = bestOf(us, edges, k, rng.fork(code));
    us.forEach((u, i) => {
      out.set(u.id, seqs[i]!);
    });
  }
  return out;
}

/** How many drawings are tried per community; the one with the fewest extreme grids is kept. */
const ATTEMPTS = 8;

/**
 * Draws a community several times and keeps the drawing with the fewest extreme grids (under 150 or over 380
 * households), as a planner would redraw a grid that came out absurd, then the smallest total deviation.
 */
function bestOf(us: PlanUnit[], edges: readonly PlanEdge[], k: number, rng: Rng): number[] {
  const mean = us.reduce((s, u) => s + u.households, 0) / k;
  let best: number[] | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const seqs = drawCommunity(us, edges, k, rng.fork(`attempt ${attempt}`));
    if (!seqs) continue;
    const households = new Array<number>(k + 1).fill(0);
    us.forEach((u, i) => {
      households[seqs[i]!]! += u.households;
    });
    const grids = households.slice(1);
    const extreme = grids.filter((h) => h < 150 || h > 380).length;
    const score = extreme * 1e6 + grids.reduce((s, h) => s + Math.abs(h - mean), 0);
    if (score < bestScore) {
      best = seqs;
      bestScore = score;
    }
  }
  if (!best) throw new Error(`could not draw ${k} grids in community ${us[0]?.communityCode}`);
  return best;
}

/** One drawing: grid sequence per unit, or null when the grids ran out of parcels before the k-th. */
function drawCommunity(us: PlanUnit[], edges: readonly PlanEdge[], k: number, rng: Rng): number[] | null {
  const index = new Map(us.map((u, i) => [u.id, i]));
  const adj: { to: number; len: number }[][] = us.map(() => []);
  for (const e of edges) {
    const a = index.get(e.a);
    const b = index.get(e.b);
    if (a === undefined || b === undefined) continue;
    adj[a]!.push({ to: b, len: e.sharedM });
    adj[b]!.push({ to: a, len: e.sharedM });
  }
  const grid = new Int32Array(us.length).fill(-1);
  const maxY = Math.max(...us.map((u) => u.y));
  const order = us
    .map((_, i) => i)
    .sort((a, b) => {
      const ra = Math.floor((maxY - us[a]!.y) / 300);
      const rb = Math.floor((maxY - us[b]!.y) / 300);
      return ra - rb || us[a]!.x - us[b]!.x;
    });
  let remaining = us.reduce((s, u) => s + u.households, 0);
  let next = 0;

  const unassignedPieces = () => {
    const pieces: number[][] = [];
    const seen = new Uint8Array(us.length);
    for (const start of order) {
      if (grid[start]! >= 0 || seen[start]) continue;
      const piece = [start];
      seen[start] = 1;
      for (let q = 0; q < piece.length; q++) {
        for (const n of adj[piece[q]!]!) {
          if (grid[n.to]! < 0 && !seen[n.to]) {
            seen[n.to] = 1;
            piece.push(n.to);
          }
        }
      }
      pieces.push(piece);
    }
    return pieces;
  };
  /** Gives a piece of unassigned parcels to the grid it shares most boundary with. */
  const absorb = (piece: number[]) => {
    const shared = new Map<number, number>();
    for (const i of piece) {
      for (const n of adj[i]!) if (grid[n.to]! >= 0) shared.set(grid[n.to]!, (shared.get(grid[n.to]!) ?? 0) + n.len);
    }
    const [to] = [...shared].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0] ?? [];
    if (to === undefined) throw new Error(`parcels of community ${us[0]!.communityCode} are not connected`);
    for (const i of piece) grid[i] = to;
    return piece.reduce((s, i) => s + us[i]!.households, 0);
  };
  const mean = remaining / k;

  for (let g = 0; g < k - 1; g++) {
    // Pockets enclosed by earlier grids and too small to be a grid go to a neighbour, as a planner would do.
    if (g > 0) {
      for (const piece of unassignedPieces()) {
        const h = piece.reduce((s, i) => s + us[i]!.households, 0);
        if (h < mean / 2) remaining -= absorb(piece);
      }
    }
    const [lo, hi] = rng.weighted(SIZE_FACTORS);
    const target = (remaining / (k - g)) * rng.range(lo, hi);
    while (next < order.length && grid[order[next]!]! >= 0) next++;
    if (next === order.length) return null;
    const seed = order[next]!;
    const compounds = new Set<number>();
    const buildings = new Set<number>();
    const frontier = new Set<number>();
    let households = 0;
    let sx = 0;
    let sy = 0;
    let count = 0;
    const take = (i: number) => {
      const u = us[i]!;
      grid[i] = g;
      households += u.households;
      sx += u.x;
      sy += u.y;
      count++;
      if (u.compoundId !== null) compounds.add(u.compoundId);
      if (u.buildingId !== null) buildings.add(u.buildingId);
      frontier.delete(i);
      for (const n of adj[i]!) if (grid[n.to]! < 0) frontier.add(n.to);
    };
    take(seed);
    for (;;) {
      let best = -1;
      let bestScore = Number.POSITIVE_INFINITY;
      const cx = sx / count;
      const cy = sy / count;
      for (const f of frontier) {
        const u = us[f]!;
        const score =
          Math.hypot(u.x - cx, u.y - cy) -
          (u.buildingId !== null && buildings.has(u.buildingId) ? 400 : 0) -
          (u.compoundId !== null && compounds.has(u.compoundId) ? 150 : 0) -
          (u.blockId === us[seed]!.blockId ? 40 : 0);
        if (score < bestScore || (score === bestScore && f < best)) {
          best = f;
          bestScore = score;
        }
      }
      if (best < 0) break;
      const u = us[best]!;
      // Past the target, a grid only takes the rest of a building it has started, if that rest is small.
      const finishing = u.buildingId !== null && buildings.has(u.buildingId);
      const overshoot = households + u.households - target;
      if (households >= target && !(finishing && overshoot < 0.3 * target)) break;
      if (overshoot > target - households && households >= 0.85 * target && !finishing) break;
      take(best);
    }
    remaining -= households;
  }

  // What is left: its largest connected piece is the last grid; other pieces join a neighbouring grid.
  const weight = (p: number[]) => p.reduce((s, i) => s + us[i]!.households, 0) * 1e6 + p.length;
  const pieces = unassignedPieces().sort((a, b) => weight(b) - weight(a));
  if (!pieces.length) return null;
  for (const i of pieces[0]!) grid[i] = k - 1;
  for (const piece of pieces.slice(1)) absorb(piece);

  // Number the grids west to east in rows taken north to south.
  const centre = Array.from({ length: k }, () => ({ x: 0, y: 0, n: 0 }));
  us.forEach((u, i) => {
    const c = centre[grid[i]!]!;
    c.x += u.x;
    c.y += u.y;
    c.n++;
  });
  const top = Math.max(...centre.map((c) => c.y / c.n));
  const ranked = centre
    .map((c, g) => ({ g, row: Math.floor((top - c.y / c.n) / CODE_ROW_M), x: c.x / c.n, y: c.y / c.n }))
    .sort((a, b) => a.row - b.row || a.x - b.x || b.y - a.y);
  const seq = new Int32Array(k);
  ranked.forEach((r, n) => {
    seq[r.g] = n + 1;
  });
  return us.map((_, i) => seq[grid[i]!]!);
}
