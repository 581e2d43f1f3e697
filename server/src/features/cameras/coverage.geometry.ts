/**
 * Plane geometry of camera views, in metres in the subdistrict's metric CRS (x east, y north). Pure functions:
 * no database, no GeoJSON, so the same code serves the stored views, the suggestions and the tests.
 */

export type XY = readonly [x: number, y: number];
/** A wall: one edge of a building footprint, [x1, y1, x2, y2]. */
export type Wall = readonly [number, number, number, number];
/** A stretch along a line, [from_m, to_m] with from_m < to_m, in metres from the line's start. */
export type Interval = readonly [from_m: number, to_m: number];

/** What a view is built from. Bearing is clockwise from north, as on the camera record. */
export type ViewSpec = {
  x: number;
  y: number;
  bearingDeg: number;
  /** 360 for a full disc (dome, PTZ over its sweep). */
  widthDeg: number;
  rangeM: number;
};

/**
 * The largest angle between two vertices on the arc at the edge of the range. At 2.5° the chord of a 150 m PTZ
 * range stays within 4 cm of the circle, far below what a road's covered length notices.
 */
export const ARC_STEP_DEG = 2.5;

const TAU = 2 * Math.PI;
const EPS = 1e-9;

/** Compass bearing (radians clockwise from north) of the direction from (x, y) to (px, py), in [0, 2π). */
function bearingTo(x: number, y: number, px: number, py: number): number {
  const b = Math.atan2(px - x, py - y);
  return b < 0 ? b + TAU : b;
}

/** Distance from the ray (x, y) + t·(sin b, cos b), t > 0, to a wall, or Infinity when the ray misses it. */
function rayHit(x: number, y: number, dx: number, dy: number, w: Wall): number {
  const ex = w[2] - w[0];
  const ey = w[3] - w[1];
  const den = dx * ey - dy * ex;
  if (Math.abs(den) < EPS) return Number.POSITIVE_INFINITY;
  const ax = w[0] - x;
  const ay = w[1] - y;
  const t = (ax * ey - ay * ex) / den;
  const s = (ax * dy - ay * dx) / den;
  return t > EPS && s >= -EPS && s <= 1 + EPS ? t : Number.POSITIVE_INFINITY;
}

/** Distance along the ray to the supporting line of a wall (not only the segment), Infinity when parallel. */
function rayToLine(x: number, y: number, dx: number, dy: number, w: Wall): number {
  const ex = w[2] - w[0];
  const ey = w[3] - w[1];
  const den = dx * ey - dy * ex;
  if (Math.abs(den) < EPS) return Number.POSITIVE_INFINITY;
  return ((w[0] - x) * ey - (w[1] - y) * ex) / den;
}

function distanceToSegment(x: number, y: number, w: Wall): number {
  const ex = w[2] - w[0];
  const ey = w[3] - w[1];
  const len2 = ex * ex + ey * ey;
  const s = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - w[0]) * ex + (y - w[1]) * ey) / len2));
  return Math.hypot(w[0] + s * ex - x, w[1] + s * ey - y);
}

/**
 * What a camera sees: the sector (a disc when the width is 360°) within its range, cut by the walls in front of
 * it. Built by an angular sweep: the bearings where something can change (wall ends, walls crossing the range
 * circle, the sector's edges, arc steps) split the sector into wedges; in each wedge one ray finds the nearest
 * wall, which then bounds the whole wedge, because no wall ends inside it. Walls that cross each other (footprints
 * that overlap) can make that bound slightly too far; footprints of the demo and of surveyed buildings do not.
 *
 * Returns the exterior ring, counter-clockwise and closed (first point repeated last); a sector's ring starts and
 * ends at the camera. Walls farther than the range are ignored, so callers may pass a generous selection.
 */
export function visibilityPolygon(spec: ViewSpec, walls: readonly Wall[]): XY[] {
  const { x, y, rangeM: r } = spec;
  const full = spec.widthDeg >= 360;
  const width = full ? TAU : (spec.widthDeg * Math.PI) / 180;
  const start = full ? 0 : ((((spec.bearingDeg - spec.widthDeg / 2) % 360) + 360) % 360) * (Math.PI / 180);

  const near = walls.filter((w) => distanceToSegment(x, y, w) < r);
  const cuts: number[] = [0, width];
  const steps = Math.ceil((width * 180) / Math.PI / ARC_STEP_DEG);
  for (let k = 1; k < steps; k++) cuts.push((width * k) / steps);
  for (const w of near) {
    for (const [px, py] of [
      [w[0], w[1]],
      [w[2], w[3]],
    ] as const) {
      if (Math.hypot(px - x, py - y) < r) cuts.push(relative(bearingTo(x, y, px, py), start));
    }
    // Where the wall crosses the range circle: |a + s·e − c|² = r².
    const ex = w[2] - w[0];
    const ey = w[3] - w[1];
    const fx = w[0] - x;
    const fy = w[1] - y;
    const a = ex * ex + ey * ey;
    const b = 2 * (fx * ex + fy * ey);
    const c = fx * fx + fy * fy - r * r;
    const disc = b * b - 4 * a * c;
    if (a > 0 && disc > 0) {
      for (const s of [(-b - Math.sqrt(disc)) / (2 * a), (-b + Math.sqrt(disc)) / (2 * a)]) {
        if (s > 0 && s < 1) cuts.push(relative(bearingTo(x, y, w[0] + s * ex, w[1] + s * ey), start));
      }
    }
  }
  const angles = [...new Set(cuts.filter((t) => t <= width))].sort((p, q) => p - q);

  const bins = new AngularBins(near, x, y, start);
  const ring: XY[] = [];
  const push = (t: number, d: number) => {
    const b = start + t;
    const px = x + d * Math.sin(b);
    const py = y + d * Math.cos(b);
    const last = ring[ring.length - 1];
    if (!last || Math.abs(last[0] - px) > 1e-7 || Math.abs(last[1] - py) > 1e-7) ring.push([px, py]);
  };
  if (!full) ring.push([x, y]);
  for (let i = 0; i + 1 < angles.length; i++) {
    const t0 = angles[i]!;
    const t1 = angles[i + 1]!;
    if (t1 - t0 < 1e-12) continue;
    const mid = start + (t0 + t1) / 2;
    const { d: best, wall } = bins.nearest((t0 + t1) / 2, x, y, Math.sin(mid), Math.cos(mid), r);
    if (!wall) {
      push(t0, r);
      push(t1, r);
      continue;
    }
    const d0 = rayToLine(x, y, Math.sin(start + t0), Math.cos(start + t0), wall);
    push(t0, Number.isFinite(d0) && d0 > 0 ? Math.min(d0, r) : best);
    const d1 = rayToLine(x, y, Math.sin(start + t1), Math.cos(start + t1), wall);
    push(t1, Number.isFinite(d1) && d1 > 0 ? Math.min(d1, r) : best);
  }
  if (!full) ring.push([x, y]);
  else if (ring.length > 1) {
    const [fx, fy] = ring[0]!;
    const [lx, ly] = ring[ring.length - 1]!;
    if (Math.abs(fx - lx) < 1e-6 && Math.abs(fy - ly) < 1e-6) ring.pop();
    ring.push(ring[0]!);
  }
  // Swept clockwise (compass bearings grow clockwise); GeoJSON wants exterior rings counter-clockwise.
  return ring.reverse();
}

/**
 * Walls bucketed by the bearings they span as seen from the camera, so a ray tests only walls it can hit. The
 * buckets are one flat index array (offsets per bucket): thousands of views are built at once, and an array per
 * bucket was most of the garbage.
 */
class AngularBins {
  private readonly size: number;
  private readonly start: Int32Array;
  private readonly items: Int32Array;

  constructor(
    private readonly walls: readonly Wall[],
    x: number,
    y: number,
    start: number,
  ) {
    const n = Math.max(8, Math.min(360, walls.length * 2));
    this.size = TAU / n;
    const first = new Int32Array(walls.length);
    const count = new Int32Array(walls.length);
    const perBin = new Int32Array(n + 1);
    for (let i = 0; i < walls.length; i++) {
      const w = walls[i]!;
      let a = relative(bearingTo(x, y, w[0], w[1]), start);
      const b = relative(bearingTo(x, y, w[2], w[3]), start);
      // A wall seen from outside its line spans less than half a turn: the shorter way round from a to b.
      let span = relative(b, a);
      if (span > Math.PI) {
        a = b;
        span = TAU - span;
      }
      first[i] = Math.floor(a / this.size);
      count[i] = Math.min(n, Math.floor(span / this.size) + 2);
      for (let k = 0; k < count[i]!; k++) perBin[((first[i]! + k) % n) + 1]!++;
    }
    for (let k = 0; k < n; k++) perBin[k + 1]! += perBin[k]!;
    this.start = perBin;
    this.items = new Int32Array(perBin[n]!);
    const fill = perBin.slice(0, n);
    for (let i = 0; i < walls.length; i++) {
      for (let k = 0; k < count[i]!; k++) this.items[fill[(first[i]! + k) % n]!++] = i;
    }
  }

  /** The nearest wall hit by the ray at relative bearing t (absolute direction dx, dy), within `limit`. */
  nearest(t: number, x: number, y: number, dx: number, dy: number, limit: number): { d: number; wall: Wall | null } {
    const bin = Math.min(this.start.length - 2, Math.floor(t / this.size));
    let d = limit;
    let wall: Wall | null = null;
    for (let k = this.start[bin]!; k < this.start[bin + 1]!; k++) {
      const w = this.walls[this.items[k]!]!;
      const hit = rayHit(x, y, dx, dy, w);
      if (hit < d) {
        d = hit;
        wall = w;
      }
    }
    return { d, wall };
  }
}

/** The angle from `from` to `b` going clockwise, in [0, 2π). */
function relative(b: number, from: number): number {
  const d = (b - from) % TAU;
  return d < 0 ? d + TAU : d;
}

/** Axis-aligned box [minX, minY, maxX, maxY]. */
export type Box = readonly [number, number, number, number];

export function boxOf(points: readonly XY[]): Box {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return [x0, y0, x1, y1];
}

/** Crossing-number test; a point on the boundary may go either way, which only a zero-length stretch notices. */
export function insideRing(ring: readonly XY[], px: number, py: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** A line with the distance along it at each vertex, so that stretches can be named in metres from its start. */
export type MeasuredLine = { coords: readonly XY[]; along: readonly number[]; box: Box };

export function measureLine(coords: readonly XY[]): MeasuredLine {
  const along = [0];
  for (let i = 1; i < coords.length; i++) {
    const [ax, ay] = coords[i - 1]!;
    const [bx, by] = coords[i]!;
    along.push(along[i - 1]! + Math.hypot(bx - ax, by - ay));
  }
  return { coords, along, box: boxOf(coords) };
}

const overlaps = (a: Box, b: Box) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/**
 * The stretches of a line inside a ring, in metres along the line: each segment is cut where it crosses the ring
 * and each piece is kept when its midpoint is inside.
 */
export function stretchesInside(line: MeasuredLine, ring: readonly XY[], ringBox: Box = boxOf(ring)): Interval[] {
  const out: [number, number][] = [];
  if (!overlaps(line.box, ringBox)) return out;
  for (let i = 0; i + 1 < line.coords.length; i++) {
    const [ax, ay] = line.coords[i]!;
    const [bx, by] = line.coords[i + 1]!;
    if (
      Math.max(ax, bx) < ringBox[0] ||
      Math.min(ax, bx) > ringBox[2] ||
      Math.max(ay, by) < ringBox[1] ||
      Math.min(ay, by) > ringBox[3]
    ) {
      continue;
    }
    const ex = bx - ax;
    const ey = by - ay;
    const ts = [0, 1];
    for (let k = 0; k + 1 < ring.length; k++) {
      const [px, py] = ring[k]!;
      const [qx, qy] = ring[k + 1]!;
      const fx = qx - px;
      const fy = qy - py;
      const den = ex * fy - ey * fx;
      if (Math.abs(den) < EPS) continue;
      const t = ((px - ax) * fy - (py - ay) * fx) / den;
      const s = ((px - ax) * ey - (py - ay) * ex) / den;
      if (t > 0 && t < 1 && s >= 0 && s <= 1) ts.push(t);
    }
    ts.sort((p, q) => p - q);
    const m0 = line.along[i]!;
    const len = line.along[i + 1]! - m0;
    for (let k = 0; k + 1 < ts.length; k++) {
      const t0 = ts[k]!;
      const t1 = ts[k + 1]!;
      if (t1 - t0 < 1e-12) continue;
      const tm = (t0 + t1) / 2;
      if (!insideRing(ring, ax + tm * ex, ay + tm * ey)) continue;
      const from = m0 + t0 * len;
      const to = m0 + t1 * len;
      const last = out[out.length - 1];
      if (last && from - last[1] < 1e-9) last[1] = Math.max(last[1], to);
      else out.push([from, to]);
    }
  }
  return out;
}

/** The union of stretches, sorted and merged where they touch. */
export function unionIntervals(intervals: Iterable<Interval>): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1e-9) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The parts common to `a` and `b`; both sorted and disjoint. */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i]![0], b[j]![0]);
    const to = Math.min(a[i]![1], b[j]![1]);
    if (to > from) out.push([from, to]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

export const lengthOf = (intervals: readonly Interval[]) => intervals.reduce((s, [a, b]) => s + (b - a), 0);

/** The point at a distance along a measured line. */
export function pointAlong(line: MeasuredLine, m: number): XY {
  const { coords, along } = line;
  let i = 1;
  while (i < along.length - 1 && along[i]! < m) i++;
  const a0 = along[i - 1]!;
  const seg = along[i]! - a0;
  const t = seg === 0 ? 0 : Math.max(0, Math.min(1, (m - a0) / seg));
  const [ax, ay] = coords[i - 1]!;
  const [bx, by] = coords[i]!;
  return [ax + t * (bx - ax), ay + t * (by - ay)];
}
