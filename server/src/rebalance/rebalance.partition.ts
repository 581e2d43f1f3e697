import { bandDeviation, type CommunityGraph } from "./rebalance.graph.ts";

/**
 * Tiers of the objective, compared lexicographically (issue 5's priority order): grids out of band, households
 * out of band, extra pieces of buildings (a building in p grids adds p − 1), extra pieces of compounds, households
 * moved (repair mode only), and last the boundary: weighted cut length plus, in repair mode, a small charge per
 * moved unit so that empty land does not wander for a few metres of boundary. Contiguity is not a tier: every move
 * keeps grids contiguous.
 */
export type Cost = [
  outOfBand: number,
  deviation: number,
  buildingPieces: number,
  compoundPieces: number,
  moved: number,
  boundary: number,
];

const tierCount = 6;

/** Metres of boundary that moving one unit is worth in repair mode. */
export const unitMoveCost = 30;

export function zeroCost(): Cost {
  return [0, 0, 0, 0, 0, 0];
}

/** Negative when a is better than b. The boundary tier tolerates rounding noise. */
export function compareCost(a: Cost, b: Cost): number {
  for (let t = 0; t < tierCount - 1; t++) {
    const d = a[t]! - b[t]!;
    if (d !== 0) return d;
  }
  const d = a[5] - b[5];
  return Math.abs(d) < 1e-6 ? 0 : d;
}

/**
 * An assignment of a community's units to grid slots with everything the objective needs kept up to date:
 * households per slot, unit counts per (building, slot) and (compound, slot), the cut and what moved.
 * Slots are grids; a slot index is stable, its grid id is decided by the caller.
 */
export class Partition {
  readonly g: CommunityGraph;
  readonly repair: boolean;
  part: Int32Array;
  /** Slot of the unit's current grid (input), -1 when it has none. */
  readonly orig: Int32Array;
  readonly lockedUnit: Uint8Array;
  lockedSlot: Uint8Array;
  slotHH: Float64Array;
  slotSize: Int32Array;
  /** Bumped whenever a slot gains or loses a unit, so the search can skip pairs it has tried unchanged. */
  slotVersion: Int32Array;
  slots: number;
  private readonly cap: number;
  private readonly bCount = new Map<number, number>();
  private readonly cCount = new Map<number, number>();
  private readonly bPieces: Int32Array;
  private readonly cPieces: Int32Array;
  private readonly scratch: Int32Array;
  private readonly visitMark: Int32Array;
  private visitStamp = 0;
  private readonly queue: Int32Array;

  constructor(
    g: CommunityGraph,
    part: Int32Array,
    slots: number,
    orig: Int32Array,
    lockedUnit: Uint8Array,
    lockedSlot: Uint8Array,
    repair: boolean,
  ) {
    this.g = g;
    this.repair = repair;
    this.part = part;
    this.orig = orig;
    this.lockedUnit = lockedUnit;
    this.slots = slots;
    this.cap = g.n + 1;
    this.lockedSlot = new Uint8Array(this.cap);
    this.lockedSlot.set(lockedSlot.subarray(0, Math.min(lockedSlot.length, this.cap)));
    this.slotHH = new Float64Array(this.cap);
    this.slotSize = new Int32Array(this.cap);
    this.slotVersion = new Int32Array(this.cap);
    this.bPieces = new Int32Array(g.buildingCount);
    this.cPieces = new Int32Array(g.compoundCount);
    this.scratch = new Int32Array(g.n).fill(-1);
    this.visitMark = new Int32Array(g.n);
    this.mark = new Int32Array(g.n);
    this.queue = new Int32Array(g.n);
    for (let u = 0; u < g.n; u++) this.add(u, part[u]!);
  }

  /** An independent copy that keeps the slot versions, so what was tried on the original stays known. */
  clone(): Partition {
    const c = new Partition(
      this.g,
      Int32Array.from(this.part),
      this.slots,
      this.orig,
      this.lockedUnit,
      this.lockedSlot,
      this.repair,
    );
    c.slotVersion.set(this.slotVersion);
    return c;
  }

  /** Scratch marks over units for searches that must not allocate: compare with a fresh {@link nextStamp}. */
  readonly mark: Int32Array;
  private markStamp = 0;
  nextStamp(): number {
    return ++this.markStamp;
  }

  /** A new empty slot (a new grid). */
  addSlot(): number {
    return this.slots++;
  }

  private add(u: number, s: number): void {
    const g = this.g;
    this.slotHH[s]! += g.hh[u]!;
    this.slotSize[s]!++;
    const b = g.building[u]!;
    if (b >= 0) {
      const k = b * this.cap + s;
      const c = (this.bCount.get(k) ?? 0) + 1;
      this.bCount.set(k, c);
      if (c === 1) this.bPieces[b]!++;
    }
    const cp = g.compound[u]!;
    if (cp >= 0) {
      const k = cp * this.cap + s;
      const c = (this.cCount.get(k) ?? 0) + 1;
      this.cCount.set(k, c);
      if (c === 1) this.cPieces[cp]!++;
    }
  }

  private remove(u: number, s: number): void {
    const g = this.g;
    this.slotHH[s]! -= g.hh[u]!;
    this.slotSize[s]!--;
    const b = g.building[u]!;
    if (b >= 0) {
      const k = b * this.cap + s;
      const c = this.bCount.get(k)! - 1;
      if (c === 0) {
        this.bCount.delete(k);
        this.bPieces[b]!--;
      } else this.bCount.set(k, c);
    }
    const cp = g.compound[u]!;
    if (cp >= 0) {
      const k = cp * this.cap + s;
      const c = this.cCount.get(k)! - 1;
      if (c === 0) {
        this.cCount.delete(k);
        this.cPieces[cp]!--;
      } else this.cCount.set(k, c);
    }
  }

  bandCost(households: number): [number, number] {
    const d = bandDeviation(households, this.g.band);
    return d > 0 ? [1, d] : [0, 0];
  }

  /** The whole objective, computed from scratch. */
  cost(): Cost {
    const g = this.g;
    const c = zeroCost();
    for (let s = 0; s < this.slots; s++) {
      if (this.slotSize[s] === 0) continue;
      const [o, d] = this.bandCost(this.slotHH[s]!);
      c[0] += o;
      c[1] += d;
    }
    for (let b = 0; b < g.buildingCount; b++) c[2] += Math.max(0, this.bPieces[b]! - 1);
    for (let k = 0; k < g.compoundCount; k++) c[3] += Math.max(0, this.cPieces[k]! - 1);
    for (let u = 0; u < g.n; u++) {
      const p = this.part[u]!;
      if (this.repair && this.orig[u] !== p) {
        c[4] += g.hh[u]!;
        c[5] += unitMoveCost;
      }
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const v = g.adj[e]!;
        if (v > u && this.part[v] !== p) c[5] += g.cost[e]!;
      }
    }
    return c;
  }

  /**
   * The change of the objective if `units` moved to slots `to` (parallel arrays). Only what the move touches is
   * visited: the slots involved, the buildings and compounds of the moved units, the edges at them.
   */
  delta(units: readonly number[], to: readonly number[]): Cost {
    const g = this.g;
    const next = this.scratch;
    const d = zeroCost();
    const hhDelta = new Map<number, number>();
    const sizeDelta = new Map<number, number>();
    const bTouched = new Map<number, number>();
    const cTouched = new Map<number, number>();
    for (let i = 0; i < units.length; i++) {
      const u = units[i]!;
      const from = this.part[u]!;
      const t = to[i]!;
      next[u] = t;
      if (from === t) continue;
      const h = g.hh[u]!;
      hhDelta.set(from, (hhDelta.get(from) ?? 0) - h);
      hhDelta.set(t, (hhDelta.get(t) ?? 0) + h);
      sizeDelta.set(from, (sizeDelta.get(from) ?? 0) - 1);
      sizeDelta.set(t, (sizeDelta.get(t) ?? 0) + 1);
      const b = g.building[u]!;
      if (b >= 0) {
        const kf = b * this.cap + from;
        const kt = b * this.cap + t;
        bTouched.set(kf, (bTouched.get(kf) ?? 0) - 1);
        bTouched.set(kt, (bTouched.get(kt) ?? 0) + 1);
      }
      const c = g.compound[u]!;
      if (c >= 0) {
        const kf = c * this.cap + from;
        const kt = c * this.cap + t;
        cTouched.set(kf, (cTouched.get(kf) ?? 0) - 1);
        cTouched.set(kt, (cTouched.get(kt) ?? 0) + 1);
      }
      if (this.repair) {
        const o = this.orig[u]!;
        const was = o !== from ? 1 : 0;
        const will = o !== t ? 1 : 0;
        d[4] += (will - was) * h;
        d[5] += (will - was) * unitMoveCost;
      }
    }
    for (const [s, dh] of hhDelta) {
      const sizeAfter = this.slotSize[s]! + (sizeDelta.get(s) ?? 0);
      // An empty slot is no grid: it counts neither before it fills nor after it empties.
      const before = this.slotSize[s] === 0 ? [0, 0] : this.bandCost(this.slotHH[s]!);
      const after = sizeAfter === 0 ? [0, 0] : this.bandCost(this.slotHH[s]! + dh);
      d[0] += after[0]! - before[0]!;
      d[1] += after[1]! - before[1]!;
    }
    d[2] += this.piecesDelta(bTouched, this.bCount);
    d[3] += this.piecesDelta(cTouched, this.cCount);
    for (let i = 0; i < units.length; i++) {
      const u = units[i]!;
      const from = this.part[u]!;
      const t = to[i]!;
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const v = g.adj[e]!;
        const nv = next[v]!;
        if (nv >= 0 && v < u) continue;
        const pv = this.part[v]!;
        const after = nv >= 0 ? nv : pv;
        const wasCut = from !== pv ? 1 : 0;
        const isCut = t !== after ? 1 : 0;
        d[5] += (isCut - wasCut) * g.cost[e]!;
      }
    }
    for (const u of units) next[u] = -1;
    return d;
  }

  private piecesDelta(touched: Map<number, number>, counts: Map<number, number>): number {
    let d = 0;
    for (const [k, dc] of touched) {
      if (dc === 0) continue;
      const before = counts.get(k) ?? 0;
      const after = before + dc;
      if (before === 0 && after > 0) d++;
      else if (before > 0 && after === 0) d--;
    }
    return d;
  }

  /** Moves units to slots (parallel arrays). */
  apply(units: readonly number[], to: readonly number[]): void {
    for (let i = 0; i < units.length; i++) {
      const u = units[i]!;
      const from = this.part[u]!;
      const t = to[i]!;
      if (from === t) continue;
      this.remove(u, from);
      this.part[u] = t;
      this.add(u, t);
      this.slotVersion[from]!++;
      this.slotVersion[t]!++;
    }
  }

  /**
   * Whether slot s stays connected when the units flagged in `leaving` (a scratch array, 1 = leaving) go.
   * Breadth-first search inside the slot from a staying unit.
   */
  staysConnected(s: number, leaving: Uint8Array, leavingCount: number, start: number): boolean {
    const g = this.g;
    const remaining = this.slotSize[s]! - leavingCount;
    if (remaining <= 0) return false;
    if (start < 0) return false;
    const seen = this.visitMark;
    this.visitStamp++;
    const stamp = this.visitStamp;
    const queue = this.queue;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    seen[start] = stamp;
    while (head < tail) {
      const u = queue[head++]!;
      for (let e = g.xadj[u]!; e < g.xadj[u + 1]!; e++) {
        const v = g.adj[e]!;
        if (seen[v] === stamp || this.part[v] !== s || leaving[v]) continue;
        seen[v] = stamp;
        queue[tail++] = v;
      }
    }
    return tail === remaining;
  }
}
