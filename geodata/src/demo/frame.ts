import type { XY } from "./territory.ts";
import type { LngLat } from "./types.ts";

/** The south-west corner of the demo area; the territory spans about 4 km east and 3 km north of it. */
export const ORIGIN: LngLat = [122.228, 43.584];

const phi = (ORIGIN[1] * Math.PI) / 180;
/** Metres per degree at the origin's latitude (WGS84 series), good to centimetres across the demo. */
const M_PER_DEG_LAT = 111_132.954 - 559.822 * Math.cos(2 * phi) + 1.175 * Math.cos(4 * phi);
const M_PER_DEG_LNG = 111_412.84 * Math.cos(phi) - 93.5 * Math.cos(3 * phi);

/** Local metres to [lng, lat], rounded to 1e-7° (about 1 cm), so files are stable and compact. */
export function toLngLat([x, y]: XY): LngLat {
  return [round7(ORIGIN[0] + x / M_PER_DEG_LNG), round7(ORIGIN[1] + y / M_PER_DEG_LAT)];
}

function round7(v: number): number {
  return Math.round(v * 1e7) / 1e7;
}
