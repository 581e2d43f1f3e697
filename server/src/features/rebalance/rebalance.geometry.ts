import type { UnitGeometry } from "./rebalance.input.ts";

/** WGS84 / CGCS2000 ellipsoid (they differ by less than a millimetre at city scale). */
const semiMajor_m = 6378137;
const eccentricity2 = 0.00669438;
const degree = Math.PI / 180;

/**
 * A local equirectangular projection around the data's centre: metres east and north of the origin, scaled by the
 * ellipsoid's radii of curvature there. Lengths of segments are corrected for the change of the east–west scale
 * with latitude (see {@link LocalProjection.length_m}), which leaves an error far below 0.01% for the short
 * segments of parcels anywhere; the positions themselves drift by about tan(lat)·Δlat (0.2% at 10 km north or south
 * of the origin at Tongliao), which matters only for the matching tolerance and never for lengths.
 */
export interface LocalProjection {
  lngLat0: [number, number];
  /** Metres per degree of longitude and of latitude at the origin. */
  kx: number;
  ky: number;
  project(lng: number, lat: number): [number, number];
  /** Length in metres of the projected segment (dx, dy) whose middle lies at projected northing y. */
  length_m(dx: number, dy: number, y: number): number;
}

export function createLocalProjection(lng0: number, lat0: number): LocalProjection {
  const sin = Math.sin(lat0 * degree);
  const w = 1 - eccentricity2 * sin * sin;
  const meridional = (semiMajor_m * (1 - eccentricity2)) / w ** 1.5;
  const primeVertical = semiMajor_m / Math.sqrt(w);
  const cos0 = Math.cos(lat0 * degree);
  const kx = primeVertical * cos0 * degree;
  const ky = meridional * degree;
  return {
    lngLat0: [lng0, lat0],
    kx,
    ky,
    project: (lng, lat) => [(lng - lng0) * kx, (lat - lat0) * ky],
    length_m(dx, dy, y) {
      const scale = Math.cos((lat0 + y / ky) * degree) / cos0;
      return Math.hypot(dx * scale, dy);
    },
  };
}

/** A projection centred on the bounding box of the given geometries. */
export function projectionFor(geometries: readonly UnitGeometry[]): LocalProjection {
  let minLng = Number.POSITIVE_INFINITY;
  let maxLng = Number.NEGATIVE_INFINITY;
  let minLat = Number.POSITIVE_INFINITY;
  let maxLat = Number.NEGATIVE_INFINITY;
  for (const g of geometries) {
    for (const polygon of polygonsOf(g)) {
      for (const ring of polygon) {
        for (const p of ring) {
          const lng = p[0]!;
          const lat = p[1]!;
          if (!Number.isFinite(lng) || !Number.isFinite(lat)) continue;
          if (lng < minLng) minLng = lng;
          if (lng > maxLng) maxLng = lng;
          if (lat < minLat) minLat = lat;
          if (lat > maxLat) maxLat = lat;
        }
      }
    }
  }
  if (!Number.isFinite(minLng)) return createLocalProjection(0, 0);
  return createLocalProjection((minLng + maxLng) / 2, (minLat + maxLat) / 2);
}

export function polygonsOf(g: UnitGeometry): number[][][][] {
  return g.type === "Polygon" ? [g.coordinates] : g.coordinates;
}

/** Why a geometry was refused, in both languages. */
export type GeometryValidation = { valid: true } | { valid: false; en: string; zh: string };

/**
 * Checks what the engine relies on: finite lngLat coordinates in range, closed rings of at least four positions,
 * a positive area, and no ring that crosses itself or another ring of the same polygon (proper crossings and
 * overlapping collinear segments; rings that merely touch at a point are accepted, as PostGIS accepts them for holes).
 */
export function validateGeometry(g: UnitGeometry, projection: LocalProjection): GeometryValidation {
  for (const polygon of polygonsOf(g)) {
    for (const ring of polygon) {
      for (const p of ring) {
        const lng = p[0]!;
        const lat = p[1]!;
        if (!Number.isFinite(lng) || !Number.isFinite(lat)) {
          return { valid: false, en: "a coordinate is not a finite number", zh: "坐标不是有限数值" };
        }
        if (lng < -180 || lng > 180 || lat < -90 || lat > 90) {
          return {
            valid: false,
            en: `coordinate (${lng}, ${lat}) is not a longitude/latitude in EPSG:4326`,
            zh: `坐标 (${lng}, ${lat}) 不是 EPSG:4326 经纬度`,
          };
        }
      }
      if (ring.length < 4) {
        return { valid: false, en: "a ring has fewer than 4 positions", zh: "环的顶点少于 4 个" };
      }
      const first = ring[0]!;
      const last = ring[ring.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) {
        return { valid: false, en: "a ring is not closed", zh: "环未闭合" };
      }
    }
    const shell = polygon[0]!.map((p) => projection.project(p[0]!, p[1]!));
    if (Math.abs(ringArea(shell)) < 1e-6) {
      return { valid: false, en: "a polygon has no area", zh: "多边形面积为零" };
    }
  }
  const crossing = findSelfIntersection(g, projection);
  if (crossing) {
    return {
      valid: false,
      en: `the boundary intersects itself near (${crossing[0].toFixed(6)}, ${crossing[1].toFixed(6)})`,
      zh: `边界自相交，位置约 (${crossing[0].toFixed(6)}, ${crossing[1].toFixed(6)})`,
    };
  }
  return { valid: true };
}

function ringArea(ring: [number, number][]): number {
  let area = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    area += (ring[j]![0] + ring[i]![0]) * (ring[j]![1] - ring[i]![1]);
  }
  return area / 2;
}

/** Returns a lngLat near the first crossing found, or null. A sweep along x keeps large rings fast. */
function findSelfIntersection(g: UnitGeometry, projection: LocalProjection): [number, number] | null {
  for (const polygon of polygonsOf(g)) {
    type Seg = { x0: number; y0: number; x1: number; y1: number; ring: number; index: number; size: number };
    const segs: Seg[] = [];
    polygon.forEach((ring, r) => {
      const pts = ring.map((p) => projection.project(p[0]!, p[1]!));
      const size = pts.length - 1;
      for (let i = 0; i < size; i++) {
        const [x0, y0] = pts[i]!;
        const [x1, y1] = pts[i + 1]!;
        segs.push({ x0, y0, x1, y1, ring: r, index: i, size });
      }
    });
    const order = segs
      .map((_, i) => i)
      .sort((a, b) => Math.min(segs[a]!.x0, segs[a]!.x1) - Math.min(segs[b]!.x0, segs[b]!.x1));
    const active: Seg[] = [];
    for (const i of order) {
      const s = segs[i]!;
      const sMinX = Math.min(s.x0, s.x1);
      for (let k = active.length - 1; k >= 0; k--) {
        if (Math.max(active[k]!.x0, active[k]!.x1) < sMinX - 1e-9) active.splice(k, 1);
      }
      for (const t of active) {
        const consecutive =
          s.ring === t.ring && ((s.index + 1) % s.size === t.index || (t.index + 1) % t.size === s.index);
        const hit = consecutive ? isSpike(s, t) : segmentsCross(s, t);
        if (hit) {
          const mx = (s.x0 + s.x1) / 2;
          const my = (s.y0 + s.y1) / 2;
          return [projection.lngLat0[0] + mx / projection.kx, projection.lngLat0[1] + my / projection.ky];
        }
      }
      active.push(s);
    }
  }
  return null;
}

type Segment = { x0: number; y0: number; x1: number; y1: number };

function cross(ax: number, ay: number, bx: number, by: number): number {
  return ax * by - ay * bx;
}

/** Proper crossing of the interiors, or a collinear overlap of positive length. */
function segmentsCross(s: Segment, t: Segment): boolean {
  const eps = 1e-9;
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  const ex = t.x1 - t.x0;
  const ey = t.y1 - t.y0;
  const o1 = cross(dx, dy, t.x0 - s.x0, t.y0 - s.y0);
  const o2 = cross(dx, dy, t.x1 - s.x0, t.y1 - s.y0);
  const o3 = cross(ex, ey, s.x0 - t.x0, s.y0 - t.y0);
  const o4 = cross(ex, ey, s.x1 - t.x0, s.y1 - t.y0);
  const len = Math.hypot(dx, dy);
  const tol = eps * Math.max(1, len * len);
  if (Math.abs(o1) <= tol && Math.abs(o2) <= tol) {
    if (len === 0) return false;
    const a0 = ((t.x0 - s.x0) * dx + (t.y0 - s.y0) * dy) / len;
    const a1 = ((t.x1 - s.x0) * dx + (t.y1 - s.y0) * dy) / len;
    const overlap = Math.min(len, Math.max(a0, a1)) - Math.max(0, Math.min(a0, a1));
    return overlap > 1e-6;
  }
  return o1 * o2 < -tol * tol && o3 * o4 < -tol * tol;
}

/** Two consecutive segments that fold back onto each other. */
function isSpike(s: Segment, t: Segment): boolean {
  const dx = s.x1 - s.x0;
  const dy = s.y1 - s.y0;
  const ex = t.x1 - t.x0;
  const ey = t.y1 - t.y0;
  const len = Math.hypot(dx, dy) * Math.hypot(ex, ey);
  if (len === 0) return false;
  return Math.abs(cross(dx, dy, ex, ey)) <= 1e-9 * len && dx * ex + dy * ey < 0;
}

/** Shared boundaries between units, measured in metres. */
export interface Adjacency {
  /** Pairs (a < b) of unit indexes with the length of boundary they share. */
  pairs: { a: number; b: number; length_m: number }[];
  /** Perimeter of every unit, holes included. */
  perimeter_m: Float64Array;
  /** Area-weighted centroid of every unit in the local projection (metres east and north of its origin). */
  centroidX: Float64Array;
  centroidY: Float64Array;
  area_m2: Float64Array;
}

/**
 * Finds which units share a boundary of positive length and how long it is. Segments go into a uniform hash grid
 * (cell = twice the median segment length) and every pair of segments of different units in a cell is tested for a
 * collinear overlap within `tolerance_m` of each other, so boundaries that share vertices exactly (our PostGIS
 * parcels) and boundaries that only overlap (a long edge against several short ones, slightly imprecise
 * digitising) are both found; touching at a point gives no overlap and so no adjacency. A pair found in several
 * cells is counted once, in the cell holding the middle of the overlap.
 */
export function buildAdjacency(
  geometries: readonly UnitGeometry[],
  projection: LocalProjection,
  tolerance_m = 0.1,
): Adjacency {
  const n = geometries.length;
  const perimeter_m = new Float64Array(n);
  const centroidX = new Float64Array(n);
  const centroidY = new Float64Array(n);
  const area_m2 = new Float64Array(n);
  const coords: number[] = [];
  const owner: number[] = [];
  for (let u = 0; u < n; u++) {
    let sumA = 0;
    let sumX = 0;
    let sumY = 0;
    for (const polygon of polygonsOf(geometries[u]!)) {
      for (const ring of polygon) {
        let px = 0;
        let py = 0;
        let ringA = 0;
        let ringX = 0;
        let ringY = 0;
        for (let i = 0; i < ring.length; i++) {
          const [x, y] = projection.project(ring[i]![0]!, ring[i]![1]!);
          if (i > 0) {
            coords.push(px, py, x, y);
            owner.push(u);
            perimeter_m[u]! += projection.length_m(x - px, y - py, (y + py) / 2);
            const c = px * y - x * py;
            ringA += c;
            ringX += (px + x) * c;
            ringY += (py + y) * c;
          }
          px = x;
          py = y;
        }
        // Holes wind the other way in valid GeoJSON, but not always in user data: subtract them by position.
        const sign = ring === polygon[0] ? Math.sign(ringA) || 1 : -(Math.sign(ringA) || 1);
        sumA += sign * ringA;
        sumX += sign * ringX;
        sumY += sign * ringY;
      }
    }
    area_m2[u] = Math.abs(sumA) / 2;
    if (sumA !== 0) {
      centroidX[u] = sumX / (3 * sumA);
      centroidY[u] = sumY / (3 * sumA);
    } else {
      const p = geometries[u]!;
      const first = polygonsOf(p)[0]?.[0]?.[0];
      const [x, y] = first ? projection.project(first[0]!, first[1]!) : [0, 0];
      centroidX[u] = x;
      centroidY[u] = y;
    }
  }

  const segCount = owner.length;
  const seg = Float64Array.from(coords);
  const lengths = new Float64Array(segCount);
  for (let s = 0; s < segCount; s++) {
    lengths[s] = Math.hypot(seg[4 * s + 2]! - seg[4 * s]!, seg[4 * s + 3]! - seg[4 * s + 1]!);
  }
  const sorted = Float64Array.from(lengths).sort();
  const median = sorted.length ? sorted[sorted.length >> 1]! : 1;
  const cell = Math.max(1, Math.min(2 * median, 200));
  const cells = new Map<number, number[]>();
  const key = (ix: number, iy: number) => (ix + 1_048_576) * 2_097_152 + (iy + 1_048_576);
  const seen = new Set<number>();
  for (let s = 0; s < segCount; s++) {
    const x0 = seg[4 * s]!;
    const y0 = seg[4 * s + 1]!;
    const x1 = seg[4 * s + 2]!;
    const y1 = seg[4 * s + 3]!;
    const pieces = Math.max(1, Math.ceil(lengths[s]! / cell));
    seen.clear();
    for (let p = 0; p < pieces; p++) {
      const ax = x0 + ((x1 - x0) * p) / pieces;
      const ay = y0 + ((y1 - y0) * p) / pieces;
      const bx = x0 + ((x1 - x0) * (p + 1)) / pieces;
      const by = y0 + ((y1 - y0) * (p + 1)) / pieces;
      const ix0 = Math.floor((Math.min(ax, bx) - tolerance_m) / cell);
      const ix1 = Math.floor((Math.max(ax, bx) + tolerance_m) / cell);
      const iy0 = Math.floor((Math.min(ay, by) - tolerance_m) / cell);
      const iy1 = Math.floor((Math.max(ay, by) + tolerance_m) / cell);
      for (let ix = ix0; ix <= ix1; ix++) {
        for (let iy = iy0; iy <= iy1; iy++) {
          const k = key(ix, iy);
          if (seen.has(k)) continue;
          seen.add(k);
          let list = cells.get(k);
          if (!list) {
            list = [];
            cells.set(k, list);
          }
          list.push(s);
        }
      }
    }
  }

  const shared = new Map<number, number>();
  for (const [k, list] of cells) {
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      const us = owner[s]!;
      const len = lengths[s]!;
      if (len <= tolerance_m) continue;
      const px = seg[4 * s]!;
      const py = seg[4 * s + 1]!;
      const ux = (seg[4 * s + 2]! - px) / len;
      const uy = (seg[4 * s + 3]! - py) / len;
      for (let j = i + 1; j < list.length; j++) {
        const t = list[j]!;
        const ut = owner[t]!;
        if (ut === us) continue;
        const qx0 = seg[4 * t]! - px;
        const qy0 = seg[4 * t + 1]! - py;
        const qx1 = seg[4 * t + 2]! - px;
        const qy1 = seg[4 * t + 3]! - py;
        const a0 = qx0 * ux + qy0 * uy;
        const a1 = qx1 * ux + qy1 * uy;
        const lo = Math.max(0, Math.min(a0, a1));
        const hi = Math.min(len, Math.max(a0, a1));
        if (hi - lo <= tolerance_m) continue;
        const span = a1 - a0;
        if (Math.abs(span) < 1e-12) continue;
        const tLo = (lo - a0) / span;
        const tHi = (hi - a0) / span;
        const dLo = cross(ux, uy, qx0 + (qx1 - qx0) * tLo, qy0 + (qy1 - qy0) * tLo);
        const dHi = cross(ux, uy, qx0 + (qx1 - qx0) * tHi, qy0 + (qy1 - qy0) * tHi);
        if (Math.abs(dLo) > tolerance_m || Math.abs(dHi) > tolerance_m) continue;
        const mid = (lo + hi) / 2;
        const mx = px + ux * mid;
        const my = py + uy * mid;
        if (key(Math.floor(mx / cell), Math.floor(my / cell)) !== k) continue;
        const length = projection.length_m(ux * (hi - lo), uy * (hi - lo), my);
        const a = Math.min(us, ut);
        const b = Math.max(us, ut);
        const pk = a * n + b;
        shared.set(pk, (shared.get(pk) ?? 0) + length);
      }
    }
  }
  const pairs = [...shared]
    .map(([pk, length_m]) => ({ a: Math.floor(pk / n), b: pk % n, length_m }))
    .sort((p, q) => p.a - q.a || p.b - q.b);
  return { pairs, perimeter_m, centroidX, centroidY, area_m2 };
}
