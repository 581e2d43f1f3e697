import type { LngLat } from "../../map/geo.ts";

/** Metres per degree of latitude; a degree of longitude is this times cos(latitude). Good to a few cm over 500 m. */
const M_PER_DEG = 111_320;

/** The point `distance_m` from `from` along `bearing_deg` (clockwise from north), on a local flat approximation. */
export function destination(from: LngLat, bearing_deg: number, distance_m: number): LngLat {
  const a = (bearing_deg * Math.PI) / 180;
  const dx = distance_m * Math.sin(a);
  const dy = distance_m * Math.cos(a);
  return [from[0] + dx / (M_PER_DEG * Math.cos((from[1] * Math.PI) / 180)), from[1] + dy / M_PER_DEG];
}

/** The bearing from `from` to `to` in whole degrees, 0 to 359 (clockwise from north). */
export function bearingTo(from: LngLat, to: LngLat): number {
  const dx = (to[0] - from[0]) * M_PER_DEG * Math.cos((from[1] * Math.PI) / 180);
  const dy = (to[1] - from[1]) * M_PER_DEG;
  const deg = Math.round((Math.atan2(dx, dy) * 180) / Math.PI);
  return ((deg % 360) + 360) % 360;
}

/** The distance in metres between two nearby points, on the same flat approximation. */
export function distanceM(from: LngLat, to: LngLat): number {
  const dx = (to[0] - from[0]) * M_PER_DEG * Math.cos((from[1] * Math.PI) / 180);
  const dy = (to[1] - from[1]) * M_PER_DEG;
  return Math.hypot(dx, dy);
}

/**
 * The sector a camera would see with nothing in the way (a disc for 360°): the outline drawn while the user
 * drags, until the server answers with the view cut by buildings.
 */
export function sector(at: LngLat, bearing_deg: number, width_deg: number, range_m: number): GeoJSON.Polygon {
  const steps = Math.max(8, Math.ceil(width_deg / 5));
  const arc: LngLat[] = [];
  for (let i = 0; i <= steps; i++) {
    arc.push(destination(at, bearing_deg - width_deg / 2 + (width_deg * i) / steps, range_m));
  }
  const ring = width_deg >= 360 ? [...arc.slice(0, -1), arc[0]!] : [at, ...arc, at];
  return { type: "Polygon", coordinates: [ring] };
}
