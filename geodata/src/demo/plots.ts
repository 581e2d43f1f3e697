import { type GenBlock, type Rect, rank, type XY } from "./territory.ts";

/** A side of a block, plot or building: south, east, north or west. */
export type Side = "s" | "e" | "n" | "w";

export interface GenGate {
  at: XY;
  /** Unit vector pointing out of the compound through the gate. */
  outward: XY;
}

/** A plot: part of a block between internal lanes, taken by one compound, one public use, or left open. */
export interface Plot {
  block: GenBlock;
  rect: Rect;
  /** Which block sides the plot touches (its edge lies on the block's inner rectangle there). */
  touches: Side[];
}

const LANE_M = 14;
/** The area plots are aimed at (m²): one compound of a few hundred households. */
const PLOT_M2 = 26_000;

/** Cuts a block's inner rectangle between lanes into plots of about PLOT_M2, none longer than 2.4 times its width. */
export function subdivide(block: GenBlock): Plot[] {
  const r = block.inner;
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  let best: [number, number] = [1, 1];
  let bestScore = Number.POSITIVE_INFINITY;
  for (let nx = 1; nx <= 4; nx++) {
    for (let ny = 1; ny <= 4; ny++) {
      const pw = (w - LANE_M * (nx - 1)) / nx;
      const ph = (h - LANE_M * (ny - 1)) / ny;
      const score = Math.abs(pw * ph - PLOT_M2) + (Math.max(pw, ph) / Math.min(pw, ph) > 2.4 ? 1e9 : 0);
      if (score < bestScore) {
        best = [nx, ny];
        bestScore = score;
      }
    }
  }
  const [nx, ny] = best;
  const pw = (w - LANE_M * (nx - 1)) / nx;
  const ph = (h - LANE_M * (ny - 1)) / ny;
  const plots: Plot[] = [];
  for (let a = 0; a < nx; a++) {
    for (let b = 0; b < ny; b++) {
      const touches: Side[] = [];
      if (b === 0) touches.push("s");
      if (a === nx - 1) touches.push("e");
      if (b === ny - 1) touches.push("n");
      if (a === 0) touches.push("w");
      const x0 = r.x0 + a * (pw + LANE_M);
      const y0 = r.y0 + b * (ph + LANE_M);
      plots.push({ block, rect: { x0, y0, x1: x0 + pw, y1: y0 + ph }, touches });
    }
  }
  return plots;
}

/** The side of the plot on the most important road it touches (south if it touches none). */
export function bestSide(plot: Plot): Side {
  let best: Side = plot.touches[0] ?? "s";
  for (const s of plot.touches) if (rank(plot.block.sides[s]) > rank(plot.block.sides[best])) best = s;
  return best;
}

/** A gate in the middle of one side of a compound. */
export function gate(rect: Rect, side: Side): GenGate {
  const cx = (rect.x0 + rect.x1) / 2;
  const cy = (rect.y0 + rect.y1) / 2;
  switch (side) {
    case "s":
      return { at: [cx, rect.y0], outward: [0, -1] };
    case "n":
      return { at: [cx, rect.y1], outward: [0, 1] };
    case "w":
      return { at: [rect.x0, cy], outward: [-1, 0] };
    case "e":
      return { at: [rect.x1, cy], outward: [1, 0] };
  }
}

export function area(r: Rect): number {
  return (r.x1 - r.x0) * (r.y1 - r.y0);
}

export function overlaps(a: Rect, b: Rect, margin: number): boolean {
  return a.x0 < b.x1 + margin && b.x0 < a.x1 + margin && a.y0 < b.y1 + margin && b.y0 < a.y1 + margin;
}
