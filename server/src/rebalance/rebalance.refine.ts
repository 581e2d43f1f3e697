import { type Cost, compareCost, type Partition } from "./rebalance.partition.ts";

/**
 * Greedy boundary refinement: moves a boundary unit, or the part of its building or of its compound that lies in
 * its grid, to a neighbouring grid whenever that improves the objective and leaves the source grid connected.
 * Passes over the units until one changes nothing or `maxPasses` is reached; with `since` (slot versions at the
 * previous refinement) units whose grid and neighbouring grids have not changed since are skipped.
 */
export function refine(p: Partition, maxPasses: number, since: Int32Array | null = null): boolean {
  const g = p.g;
  const leaving = new Uint8Array(g.n);
  const zero: Cost = [0, 0, 0, 0, 0, 0];
  let any = false;
  let before = since;
  for (let pass = 0; pass < maxPasses; pass++) {
    let improved = false;
    const start = Int32Array.from(p.slotVersion);
    for (let u = 0; u < g.n; u++) {
      const s = p.part[u]!;
      if (p.lockedSlot[s] || p.lockedUnit[u]) continue;
      if (before && unchangedAround(p, u, before)) continue;
      const targets: number[] = [];
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const t = p.part[g.adj[e]!]!;
        if (t !== s && !p.lockedSlot[t] && !targets.includes(t)) targets.push(t);
      }
      if (targets.length === 0) continue;
      const groups: number[][] = [[u]];
      for (const key of [g.building, g.compound]) {
        if (key[u]! < 0) continue;
        const group = sameKeyComponent(p, u, key);
        if (group.length > 1 && !groups.some((x) => x.length === group.length)) groups.push(group);
      }
      let moved = false;
      for (const group of groups) {
        if (group.length >= p.slotSize[s]! || group.some((v) => p.lockedUnit[v])) continue;
        for (const t of targets) {
          const to = group.map(() => t);
          if (compareCost(p.delta(group, to), zero) >= 0) continue;
          for (const v of group) leaving[v] = 1;
          const ok = p.staysConnected(s, leaving, group.length, stayingNeighbour(p, group, s, leaving));
          for (const v of group) leaving[v] = 0;
          if (!ok) continue;
          p.apply(group, to);
          moved = true;
          break;
        }
        if (moved) break;
      }
      if (moved) improved = true;
    }
    if (!improved) break;
    any = true;
    before = start;
  }
  return any;
}

/** Whether the grids of u and of its neighbours are as they were at `versions`. */
function unchangedAround(p: Partition, u: number, versions: Int32Array): boolean {
  const g = p.g;
  const s = p.part[u]!;
  if (p.slotVersion[s] !== versions[s]) return false;
  for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
    const t = p.part[g.adj[e]!]!;
    if (p.slotVersion[t] !== versions[t]) return false;
  }
  return true;
}

/** The units connected to u through units of the same key (building or compound) in u's grid. */
function sameKeyComponent(p: Partition, u: number, key: Int32Array): number[] {
  const g = p.g;
  const k = key[u]!;
  const s = p.part[u]!;
  const out = [u];
  const stamp = p.nextStamp();
  p.mark[u] = stamp;
  for (let i = 0; i < out.length; i++) {
    const x = out[i]!;
    for (let e = g.xadj[x]!; e < g.xadj[x + 1]!; e++) {
      const v = g.adj[e]!;
      if (p.mark[v] === stamp || key[v] !== k || p.part[v] !== s) continue;
      p.mark[v] = stamp;
      out.push(v);
    }
  }
  return out;
}

/** A unit of slot s next to the group that stays, where a connectivity search can start; -1 if none. */
function stayingNeighbour(p: Partition, group: readonly number[], s: number, leaving: Uint8Array): number {
  const g = p.g;
  for (const u of group) {
    for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
      const v = g.adj[e]!;
      if (p.part[v] === s && !leaving[v]) return v;
    }
  }
  return -1;
}
