import { bandDeviation, type CommunityGraph, components, gridRange } from "./rebalance.graph.ts";
import { Partition } from "./rebalance.partition.ts";
import type { CommunityProblem } from "./rebalance.problem.ts";
import type { Random } from "./rebalance.random.ts";
import { bisect, exactFits, exactPartition, partitionRegion } from "./rebalance.search.ts";

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

export interface Start {
  p: Partition;
  ids: string[];
}

/**
 * Full mode: recursive bisection of every free area into at least `leastGrids` grids; parts holding locked units
 * take those units' grids, the others the ids of the grids they overlap most.
 */
export function fullStart(
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

export function makePartition(problem: CommunityProblem, part: Int32Array, slots: number): Partition {
  const lockedSlot = new Uint8Array(problem.g.n + 1);
  for (const s of problem.lockedSlots) if (s < lockedSlot.length) lockedSlot[s] = 1;
  return new Partition(problem.g, part, slots, problem.orig, problem.lockedUnit, lockedSlot, problem.mode === "repair");
}

/**
 * Repair mode's start (and full mode's when locked units cannot be honoured by bisection): the current grids,
 * with every grid cut down to its main piece, stray pieces and units without a grid given to the neighbouring grid
 * that needs them most, then grids merged or split until there are k free ones.
 */
export function repairStart(problem: CommunityProblem, freeComps: number[][], kFree: number, random: Random): Start {
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
export function freshIds(
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
