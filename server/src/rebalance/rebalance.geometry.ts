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

/**
 * Returns a lngLat near the first crossing found, or null. Segments are sorted by their western end and each is
 * compared only with those whose eastern end reaches it.
 */
function findSelfIntersection(g: UnitGeometry, projection: LocalProjection): [number, number] | null {
  for (const polygon of polygonsOf(g)) {
    let count = 0;
    for (const ring of polygon) count += ring.length - 1;
    const x0 = new Float64Array(count);
    const y0 = new Float64Array(count);
    const x1 = new Float64Array(count);
    const y1 = new Float64Array(count);
    const ringOf = new Int32Array(count);
    const indexOf = new Int32Array(count);
    const sizeOf = new Int32Array(count);
    let k = 0;
    polygon.forEach((ring, r) => {
      const size = ring.length - 1;
      for (let i = 0; i < size; i++) {
        x0[k] = (ring[i]![0]! - projection.lngLat0[0]) * projection.kx;
        y0[k] = (ring[i]![1]! - projection.lngLat0[1]) * projection.ky;
        x1[k] = (ring[i + 1]![0]! - projection.lngLat0[0]) * projection.kx;
        y1[k] = (ring[i + 1]![1]! - projection.lngLat0[1]) * projection.ky;
        ringOf[k] = r;
        indexOf[k] = i;
        sizeOf[k] = size;
        k++;
      }
    });
    const order = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => Math.min(x0[a]!, x1[a]!) - Math.min(x0[b]!, x1[b]!) || a - b,
    );
    const seg = (i: number): Segment => ({ x0: x0[i]!, y0: y0[i]!, x1: x1[i]!, y1: y1[i]! });
    for (let oi = 0; oi < count; oi++) {
      const i = order[oi]!;
      const east = Math.max(x0[i]!, x1[i]!) + 1e-9;
      const loY = Math.min(y0[i]!, y1[i]!) - 1e-9;
      const hiY = Math.max(y0[i]!, y1[i]!) + 1e-9;
      for (let oj = oi + 1; oj < count; oj++) {
        const j = order[oj]!;
        if (Math.min(x0[j]!, x1[j]!) > east) break;
        if (Math.max(y0[j]!, y1[j]!) < loY || Math.min(y0[j]!, y1[j]!) > hiY) continue;
        const consecutive =
          ringOf[i] === ringOf[j] &&
          ((indexOf[i]! + 1) % sizeOf[i]! === indexOf[j] || (indexOf[j]! + 1) % sizeOf[j]! === indexOf[i]);
        const s = seg(i);
        const t = seg(j);
        if (consecutive ? isSpike(s, t) : segmentsCross(s, t)) {
          const mx = (s.x0 + s.x1) / 2;
          const my = (s.y0 + s.y1) / 2;
          return [projection.lngLat0[0] + mx / projection.kx, projection.lngLat0[1] + my / projection.ky];
        }
      }
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
 * Finds which units share a boundary of positive length and how long it is. Segments go into a uniform grid of
 * cells (twice the median segment length, held as one compressed array) and every pair of segments of different
 * units in a cell is tested for a collinear overlap within `tolerance_m` of each other, so boundaries that share
 * vertices exactly (our PostGIS parcels) and boundaries that only overlap (a long edge against several short ones,
 * slightly imprecise digitising) are both found; touching at a point gives no overlap and so no adjacency. A pair
 * found in several cells is counted once, in the cell holding the middle of the overlap. With `findPairs` false
 * only perimeters, centroids and areas are measured.
 */
export function buildAdjacency(
  geometries: readonly UnitGeometry[],
  projection: LocalProjection,
  tolerance_m = 0.1,
  findPairs = true,
): Adjacency {
  const n = geometries.length;
  const perimeter_m = new Float64Array(n);
  const centroidX = new Float64Array(n);
  const centroidY = new Float64Array(n);
  const area_m2 = new Float64Array(n);
  let segCount = 0;
  for (const g of geometries)
    for (const polygon of polygonsOf(g)) for (const ring of polygon) segCount += Math.max(0, ring.length - 1);
  const seg = new Float64Array(4 * segCount);
  const owner = new Int32Array(segCount);
  let at = 0;
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
          const lng = ring[i]![0]!;
          const lat = ring[i]![1]!;
          const x = (lng - projection.lngLat0[0]) * projection.kx;
          const y = (lat - projection.lngLat0[1]) * projection.ky;
          if (i > 0) {
            seg[4 * at] = px;
            seg[4 * at + 1] = py;
            seg[4 * at + 2] = x;
            seg[4 * at + 3] = y;
            owner[at++] = u;
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
      const first = polygonsOf(geometries[u]!)[0]?.[0]?.[0];
      const [x, y] = first ? projection.project(first[0]!, first[1]!) : [0, 0];
      centroidX[u] = x;
      centroidY[u] = y;
    }
  }

  const lengths = new Float64Array(segCount);
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < segCount; s++) {
    const x0 = seg[4 * s]!;
    const y0 = seg[4 * s + 1]!;
    const x1 = seg[4 * s + 2]!;
    const y1 = seg[4 * s + 3]!;
    lengths[s] = Math.hypot(x1 - x0, y1 - y0);
    minX = Math.min(minX, x0, x1);
    minY = Math.min(minY, y0, y1);
    maxX = Math.max(maxX, x0, x1);
    maxY = Math.max(maxY, y0, y1);
  }
  const pairs: Adjacency["pairs"] = [];
  if (segCount === 0 || !findPairs) return { pairs, perimeter_m, centroidX, centroidY, area_m2 };
  const sorted = Float64Array.from(lengths).sort();
  let cell = Math.max(1, Math.min(2 * sorted[sorted.length >> 1]!, 200));
  minX -= 2 * tolerance_m;
  minY -= 2 * tolerance_m;
  // A dense grid of cells, made coarser when the data spans too much ground for one.
  while (((maxX - minX) / cell + 2) * ((maxY - minY) / cell + 2) > 4_000_000) cell *= 2;
  const nx = Math.floor((maxX - minX + 2 * tolerance_m) / cell) + 2;
  const ny = Math.floor((maxY - minY + 2 * tolerance_m) / cell) + 2;
  const cellCount = nx * ny;
  const counts = new Int32Array(cellCount + 1);
  const lastSeg = new Int32Array(cellCount).fill(-1);
  const fill = new Int32Array(cellCount);
  // Two passes over the cells every segment (widened by the tolerance) passes through: count, then fill.
  let into = new Int32Array(0);
  for (let pass = 0; pass < 2; pass++) {
    for (let s = 0; s < segCount; s++) {
      const x0 = seg[4 * s]! - minX;
      const y0 = seg[4 * s + 1]! - minY;
      const x1 = seg[4 * s + 2]! - minX;
      const y1 = seg[4 * s + 3]! - minY;
      const pieces = Math.max(1, Math.ceil(lengths[s]! / cell));
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
            const c = iy * nx + ix;
            if (lastSeg[c] === s) continue;
            lastSeg[c] = s;
            if (pass === 0) counts[c + 1]!++;
            else into[fill[c]!++] = s;
          }
        }
      }
    }
    if (pass === 0) {
      for (let c = 0; c < cellCount; c++) counts[c + 1]! += counts[c]!;
      into = new Int32Array(counts[cellCount]!);
      fill.set(counts.subarray(0, cellCount));
      lastSeg.fill(-1);
    }
  }
  const cellMembers = into;

  const shared = new Map<number, number>();
  for (let c = 0; c < cellCount; c++) {
    const from = counts[c]!;
    const to = counts[c + 1]!;
    if (to - from < 2) continue;
    for (let i = from; i < to; i++) {
      const s = cellMembers[i]!;
      const us = owner[s]!;
      const len = lengths[s]!;
      if (len <= tolerance_m) continue;
      const px = seg[4 * s]!;
      const py = seg[4 * s + 1]!;
      const ux = (seg[4 * s + 2]! - px) / len;
      const uy = (seg[4 * s + 3]! - py) / len;
      for (let j = i + 1; j < to; j++) {
        const t = cellMembers[j]!;
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
        if (Math.floor((my - minY) / cell) * nx + Math.floor((mx - minX) / cell) !== c) continue;
        const length = projection.length_m(ux * (hi - lo), uy * (hi - lo), my);
        const a = Math.min(us, ut);
        const b = Math.max(us, ut);
        const pk = a * n + b;
        shared.set(pk, (shared.get(pk) ?? 0) + length);
      }
    }
  }
  for (const [pk, length_m] of shared) pairs.push({ a: Math.floor(pk / n), b: pk % n, length_m });
  pairs.sort((p, q) => p.a - q.a || p.b - q.b);
  return { pairs, perimeter_m, centroidX, centroidY, area_m2 };
}
