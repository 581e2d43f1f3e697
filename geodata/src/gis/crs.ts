import { spawn } from "node:child_process";
import gcoord from "gcoord";
import { ImportError } from "../osm/errors.ts";

/**
 * The coordinate systems Chinese data comes in, and how each becomes EPSG:4326 (what GridAtlas stores):
 * WGS84 and CGCS2000 (EPSG:4490, equal to WGS84 at map scale) are stored as they are; the CGCS2000 Gauss-Krüger
 * zones are reprojected by GDAL (PROJ); GCJ-02 (AMap, Tencent) and BD-09 (Baidu) are obfuscated lng/lat that
 * gcoord turns back into WGS84. All positions here are [x, y] in the traditional GIS order: lng/lat, or
 * easting/northing — even where an EPSG definition lists northing first.
 */
export type CrsName = "EPSG:4326" | "EPSG:4490" | `EPSG:${number}` | "GCJ02" | "BD09";

export type XY = [number, number];

/**
 * CGCS2000 / 3-degree Gauss-Krüger zones: with the zone number before the easting (EPSG:4513–4533, zones 25–45,
 * easting 25 500 000 …) and without it, named by central meridian (EPSG:4534–4554, 75°E–135°E).
 */
export function gk3Srid(centralMeridianDeg: number, withZonePrefix: boolean): number {
  const zone = Math.round(centralMeridianDeg / 3);
  if (zone < 25 || zone > 45 || Math.abs(zone * 3 - centralMeridianDeg) > 1e-9) {
    throw new RangeError(`no CGCS2000 3-degree zone with central meridian ${centralMeridianDeg}°`);
  }
  return (withZonePrefix ? 4513 : 4534) + zone - 25;
}

/** The 3-degree zone whose central meridian is nearest a longitude (a zone spans ±1.5°). */
export const gk3CentralMeridian = (lng: number) => Math.round(lng / 3) * 3;

/** Every CRS an import offers, for a picker: [name, 中文, English]. */
export function crsChoices(): { crs: CrsName; zh: string; en: string }[] {
  const out: { crs: CrsName; zh: string; en: string }[] = [
    { crs: "EPSG:4326", zh: "WGS84 经纬度", en: "WGS84 longitude/latitude" },
    { crs: "EPSG:4490", zh: "CGCS2000 经纬度", en: "CGCS2000 longitude/latitude" },
    { crs: "GCJ02", zh: "GCJ-02（高德、腾讯）", en: "GCJ-02 (AMap, Tencent)" },
    { crs: "BD09", zh: "BD-09（百度）", en: "BD-09 (Baidu)" },
  ];
  for (let cm = 75; cm <= 135; cm += 3) {
    out.push({
      crs: `EPSG:${gk3Srid(cm, false)}`,
      zh: `CGCS2000 高斯-克吕格 3度带 中央经线 ${cm}°E（无带号）`,
      en: `CGCS2000 Gauss-Krüger 3-degree, CM ${cm}°E (no zone prefix)`,
    });
    out.push({
      crs: `EPSG:${gk3Srid(cm, true)}`,
      zh: `CGCS2000 高斯-克吕格 3度带 第${cm / 3}带（带号）`,
      en: `CGCS2000 Gauss-Krüger 3-degree, zone ${cm / 3} (zone prefix)`,
    });
  }
  return out;
}

/**
 * GCJ-02 or BD-09 lng/lat back to WGS84. gcoord's inverse lands within about 10 cm; a few fixed-point steps on
 * its forward transform (w ← w − (F(w) − p)) bring that under a millimetre, so a point survives a round trip.
 */
export function fromChineseWebMap(p: XY, crs: "GCJ02" | "BD09"): XY {
  const from = crs === "GCJ02" ? gcoord.GCJ02 : gcoord.BD09;
  let w = gcoord.transform(p, from, gcoord.WGS84) as XY;
  for (let k = 0; k < 5; k++) {
    const f = toChineseWebMap(w, crs);
    const dx = f[0] - p[0];
    const dy = f[1] - p[1];
    w = [w[0] - dx, w[1] - dy];
    if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) break;
  }
  return w;
}

/** WGS84 lng/lat to GCJ-02 or BD-09: what a Chinese web map would show for it. */
export function toChineseWebMap(p: XY, crs: "GCJ02" | "BD09"): XY {
  return gcoord.transform(p, gcoord.WGS84, crs === "GCJ02" ? gcoord.GCJ02 : gcoord.BD09) as XY;
}

/** Positions from one EPSG CRS to another through GDAL's gdaltransform (PROJ), traditional axis order. */
export function reproject(points: readonly XY[], from: number, to: number): Promise<XY[]> {
  if (points.length === 0 || from === to) return Promise.resolve(points.map((p) => [p[0], p[1]]));
  return new Promise((resolve, reject) => {
    const child = spawn("gdaltransform", ["-s_srs", `EPSG:${from}`, "-t_srs", `EPSG:${to}`, "-output_xy"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => reject(e));
    child.on("close", (code) => {
      const lines = Buffer.concat(out).toString("utf8").trim().split("\n");
      if (code !== 0 || lines.length !== points.length) {
        reject(
          new ImportError(
            "bad_crs",
            `坐标转换失败（EPSG:${from} → EPSG:${to}）：${Buffer.concat(err).toString("utf8").trim()}`,
            `coordinate transformation failed (EPSG:${from} → EPSG:${to}): ${Buffer.concat(err).toString("utf8").trim()}`,
          ),
        );
        return;
      }
      resolve(lines.map((l) => l.trim().split(/\s+/).slice(0, 2).map(Number) as XY));
    });
    child.stdin.end(`${points.map((p) => `${p[0]} ${p[1]}`).join("\n")}\n`);
  });
}

/** What a sample of positions looks like, by their magnitudes alone. */
export type CrsGuess =
  | { kind: "lnglat"; swapped: boolean }
  | { kind: "gk3"; srid: number; swapped: boolean; withZonePrefix: boolean }
  | { kind: "unknown" };

const inChinaLng = (v: number) => v >= 73 && v <= 136;
const inChinaLat = (v: number) => v >= 3 && v <= 54;
/** Northings of China north of 9°N in a Gauss-Krüger zone, metres: above every easting, so the two never mix. */
const isNorthing = (v: number) => v >= 1_000_000 && v <= 6_100_000;
const isEasting = (v: number) => v >= 100_000 && v <= 900_000;
const isPrefixedEasting = (v: number) => v >= 25_100_000 && v <= 45_900_000 && isEasting(v % 1_000_000);

/**
 * Guesses the CRS of positions from their magnitudes: degrees in China, possibly lat/lng swapped; or a CGCS2000
 * 3-degree zone, the zone from a prefixed easting or else from `nearLng` (the subdistrict's longitude), possibly
 * northing first (Chinese surveying names northing X and easting Y). Whether degrees are WGS84, GCJ-02 or BD-09
 * cannot be told from magnitudes; detectOffset in the imports feature tells that from the roads.
 */
export function guessCrs(sample: readonly XY[], nearLng: number): CrsGuess {
  const all = (f: (p: XY) => boolean) => sample.length > 0 && sample.every(f);
  if (all(([x, y]) => inChinaLng(x) && inChinaLat(y))) return { kind: "lnglat", swapped: false };
  if (all(([x, y]) => inChinaLat(x) && inChinaLng(y))) return { kind: "lnglat", swapped: true };
  for (const swapped of [false, true]) {
    const en = (p: XY): XY => (swapped ? [p[1], p[0]] : p);
    if (all((p) => isPrefixedEasting(en(p)[0]) && isNorthing(en(p)[1]))) {
      const zones = new Set(sample.map((p) => Math.floor(en(p)[0] / 1_000_000)));
      if (zones.size === 1) {
        const zone = [...zones][0]!;
        return { kind: "gk3", srid: gk3Srid(zone * 3, true), swapped, withZonePrefix: true };
      }
    }
    if (all((p) => isEasting(en(p)[0]) && isNorthing(en(p)[1]))) {
      return { kind: "gk3", srid: gk3Srid(gk3CentralMeridian(nearLng), false), swapped, withZonePrefix: false };
    }
  }
  return { kind: "unknown" };
}
