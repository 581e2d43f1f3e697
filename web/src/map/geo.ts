/** A position in degrees (EPSG:4326), longitude first, as GeoJSON and MapLibre order it. */
export type LngLat = [lng: number, lat: number];

/** West, south, east, north in degrees (EPSG:4326), the order MapLibre and our API use. */
export type BBox = [west: number, south: number, east: number, north: number];

/**
 * `bbox` with room around it: on each side `share` of its width (or height), and at least `minDeg` degrees, so a box
 * around one point still frames something.
 */
export function grow([w, s, e, n]: BBox, share: number, minDeg = 0): BBox {
  const dx = Math.max((e - w) * share, minDeg);
  const dy = Math.max((n - s) * share, minDeg);
  return [w - dx, s - dy, e + dx, n + dy];
}

/** The smallest box holding all `points` (a loop, not `Math.min(...xs)`: a long ring would overflow the stack). */
export function bboxOfPoints(points: Iterable<LngLat>): BBox {
  let w = Number.POSITIVE_INFINITY;
  let s = Number.POSITIVE_INFINITY;
  let e = Number.NEGATIVE_INFINITY;
  let n = Number.NEGATIVE_INFINITY;
  for (const [x, y] of points) {
    w = Math.min(w, x);
    e = Math.max(e, x);
    s = Math.min(s, y);
    n = Math.max(n, y);
  }
  return [w, s, e, n];
}
