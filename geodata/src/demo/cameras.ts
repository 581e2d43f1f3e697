import { CAMERA_TYPE_DEFAULTS, type CameraType } from "../cameras.ts";
import type { Estates } from "./estates.ts";
import type { Rng } from "./random.ts";
import { insideRing, ROAD_HALF_WIDTH_M, type Territory, type XY } from "./territory.ts";
import type { CameraSite, CameraStatus } from "./types.ts";
import type { GenVenue } from "./venues.ts";

export interface GenCamera {
  name: string;
  type: CameraType;
  status: CameraStatus;
  bearingDeg: number;
  viewWidthDeg: number;
  rangeM: number;
  mountHeightM: number;
  defaulted: string[];
  site: CameraSite;
  at: XY;
}

const GATE_NAME: Record<string, string> = { "0,-1": "南门", "0,1": "北门", "-1,0": "西门", "1,0": "东门" };

/**
 * Public cameras: at junctions (more where arterials meet), at compound gates, at school gates and yards, at
 * markets, hotels and internet cafés, and on poles along arterials. Community codes are set in PostGIS from the
 * parcel a camera stands on.
 */
export function buildCameras(territory: Territory, estates: Estates, venues: GenVenue[], rng: Rng): GenCamera[] {
  const out: GenCamera[] = [];
  const add = (site: CameraSite, name: string, type: CameraType, at: XY, bearing: XY | null) =>
    out.push(camera(site, name, type, at, bearing, rng));

  for (const j of territory.junctions) {
    const arterials = [j.row, j.col].filter((r) => r?.cls === "arterial").length;
    const secondaries = [j.row, j.col].filter((r) => r?.cls === "secondary").length;
    const count =
      arterials === 2 ? 4 : arterials === 1 ? (secondaries ? 3 : 2) : secondaries ? 2 : rng.chance(0.6) ? 1 : 0;
    const name = `${j.row?.name ?? ""}与${j.col?.name ?? ""}交叉口`;
    const quadrants = rng.shuffle(j.quadrants);
    for (let n = 0; n < count; n++) {
      const [sx, sy] = quadrants[n % quadrants.length]!;
      const dx = ROAD_HALF_WIDTH_M[j.col?.cls ?? "local"] + 3 + Math.floor(n / quadrants.length) * 6;
      const dy = ROAD_HALF_WIDTH_M[j.row?.cls ?? "local"] + 3;
      const at: XY = [j.at[0] + sx * dx, j.at[1] + sy * dy];
      const type: CameraType = n === 0 && arterials ? "ptz" : n === 1 && arterials === 2 ? "dome" : "fixed";
      add("intersection", `${name}${n + 1}号`, type, at, type === "fixed" ? rng.pick(j.arms) : null);
    }
  }

  for (const c of estates.compounds) {
    for (const g of c.gates) {
      if (!rng.chance(c.kind === "campus" ? 1 : 0.8)) continue;
      const outside = rng.chance(0.5);
      const sign = outside ? 1 : -1;
      const at: XY = [g.at[0] + g.outward[0] * 4 * sign, g.at[1] + g.outward[1] * 4 * sign];
      const look: XY = [-g.outward[0] * sign, -g.outward[1] * sign];
      const gateName = GATE_NAME[`${g.outward[0]},${g.outward[1]}`] ?? "大门";
      if (c.kind === "campus") {
        add("school", `${c.name}${gateName}`, "fixed", at, look);
        const r = c.rect;
        add("school", `${c.name}操场`, "dome", [(r.x0 + r.x1) / 2, r.y0 + (r.y1 - r.y0) * 0.35], null);
      } else {
        add("gate", `${c.name}${gateName}`, rng.chance(0.6) ? "half_dome" : "fixed", at, look);
      }
    }
  }

  for (const v of venues) {
    if (!["market", "hotel", "internet_cafe"].includes(v.category) || !rng.chance(0.6)) continue;
    add("venue", `${v.name}门前`, rng.chance(0.5) ? "half_dome" : "fixed", v.at, null);
  }

  for (const road of territory.roads) {
    if (road.cls !== "arterial") continue;
    for (let k = 0; k + 1 < road.pts.length; k++) {
      if (!rng.chance(0.35)) continue;
      const a = road.pts[k]!;
      const b = road.pts[k + 1]!;
      const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
      const dir: XY = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
      const off = ROAD_HALF_WIDTH_M.arterial + 2;
      const beside = (side: number): XY => [
        (a[0] + b[0]) / 2 - dir[1] * off * side,
        (a[1] + b[1]) / 2 + dir[0] * off * side,
      ];
      let mid = beside(rng.chance(0.5) ? 1 : -1);
      if (!insideRing(mid, territory.subdistrictRing))
        mid = beside(insideRing(beside(1), territory.subdistrictRing) ? 1 : -1);
      add("road", `${road.name}${out.length + 1}号杆`, "fixed", mid, rng.chance(0.5) ? dir : [-dir[0], -dir[1]]);
    }
  }
  return out;
}

/** One camera: surveyed values where the survey has them, the type's defaults (and a mark) where not. */
function camera(site: CameraSite, name: string, type: CameraType, at: XY, look: XY | null, rng: Rng): GenCamera {
  const d = CAMERA_TYPE_DEFAULTS[type];
  const defaulted: string[] = [];
  const surveyed = rng.chance(0.55);
  let bearingDeg = d.bearing_deg;
  if (look) bearingDeg = Math.round(((Math.atan2(look[0], look[1]) * 180) / Math.PI + 360) % 360);
  else defaulted.push("bearing_deg");
  let viewWidthDeg = d.view_width_deg;
  let rangeM = d.range_m;
  let mountHeightM = d.mount_height_m;
  if (surveyed && (type === "fixed" || type === "half_dome"))
    viewWidthDeg = Math.round(d.view_width_deg * rng.range(0.7, 1.3));
  else if (type === "fixed" || type === "half_dome") defaulted.push("view_width_deg");
  if (surveyed) {
    rangeM = Math.round(d.range_m * rng.range(0.6, 1.5));
    mountHeightM = Math.round(d.mount_height_m * rng.range(0.7, 1.4) * 10) / 10;
  } else defaulted.push("range_m", "mount_height_m");
  const status = rng.weighted([
    ["online", 0.86],
    ["offline", 0.1],
    ["planned", 0.04],
  ] as const);
  return {
    name,
    type,
    status,
    bearingDeg: bearingDeg % 360,
    viewWidthDeg,
    rangeM,
    mountHeightM,
    defaulted,
    site,
    at,
  };
}
