import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { generateDemo } from "../demo/generate.ts";
import type { DemoDataset, LngLat } from "../demo/types.ts";

/**
 * A city to measure on: `subdistricts` demo-like subdistricts side by side, each made by the demo generator from
 * its own seed (so no two are alike), moved onto a 10-wide lattice east and north of the demo and given codes of
 * its own. One subdistrict is the demo's 3.1 × 2.4 km; the lattice pitch leaves about 250 m between them.
 */

export const DEFAULT_CITY_DIR = fileURLToPath(new URL("../../out/city/", import.meta.url));

/** Lattice pitch in degrees: 0.042° of longitude (3.4 km at 43.6°N) by 0.0245° of latitude (2.7 km). */
const PITCH_LNG = 0.042;
const PITCH_LAT = 0.0245;
const COLUMNS = 10;
/** City subdistrict codes: 150590000 + index, distinct from the demo's 150571003. */
const FIRST_CODE = 150_590_000;

export type CitySubdistrict = {
  index: number;
  code: string;
  seed: number;
  /** Added to every longitude and latitude of the demo it is made from. */
  offset: LngLat;
  file: string;
  households: number;
  buildings: number;
};

export type CityManifest = { seed: number; subdistricts: CitySubdistrict[] };

export function cityCode(index: number): string {
  return String(FIRST_CODE + index);
}

/** The demo made from `seed`, moved to lattice cell `index` and renamed: every code starts with `cityCode(index)`. */
export function citySubdistrict(index: number, seed: number): DemoDataset {
  const demo = generateDemo(seed);
  const code = cityCode(index);
  const [dx, dy] = offsetOf(index);
  const recode = (c: string) => `${code}${c.slice(demo.subdistrict.code.length)}`;
  const shift = <G>(g: G): G => shiftCoordinates(g, dx, dy);
  const n = index + 1;
  return {
    ...demo,
    subdistrict: {
      ...demo.subdistrict,
      code,
      name: `示例城区第${n}街道`,
      nameEn: `Sample subdistrict ${n}`,
      attribution: "合成演示城市数据 / synthetic demo city",
      geom: shift(demo.subdistrict.geom),
    },
    communities: demo.communities.map((c) => ({
      ...c,
      code: recode(c.code),
      name: `${c.name}（${n}）`,
      nameEn: `${c.nameEn} (${n})`,
      geom: shift(c.geom),
    })),
    roads: demo.roads.map((r) => ({ ...r, geom: shift(r.geom) })),
    water: demo.water.map((w) => ({ ...w, geom: shift(w.geom) })),
    compounds: demo.compounds.map((c) => ({
      ...c,
      communityCode: recode(c.communityCode),
      geom: shift(c.geom),
      gates: shift(c.gates),
    })),
    buildings: demo.buildings.map((b) => ({ ...b, communityCode: recode(b.communityCode), geom: shift(b.geom) })),
    entrances: demo.entrances.map((e) => ({ ...e, geom: shift(e.geom) })),
    workers: demo.workers.map((w) => ({ ...w, communityCode: recode(w.communityCode) })),
    assignments: demo.assignments.map((a) => ({ ...a, gridCode: recode(a.gridCode) })),
    venues: demo.venues.map((v) => ({ ...v, communityCode: recode(v.communityCode), geom: shift(v.geom) })),
    hazards: demo.hazards.map((h) => ({ ...h, communityCode: recode(h.communityCode), geom: shift(h.geom) })),
    cameras: demo.cameras.map((c) => ({
      ...c,
      communityCode: c.communityCode === null ? null : recode(c.communityCode),
      geom: shift(c.geom),
    })),
  };
}

function offsetOf(index: number): LngLat {
  return [(index % COLUMNS) * PITCH_LNG, Math.floor(index / COLUMNS) * PITCH_LAT];
}

/** Coordinates kept to 1e-7° like the demo's, so files stay compact and a shift does not add noise digits. */
function shiftCoordinates<G>(g: G, dx: number, dy: number): G {
  const round7 = (v: number) => Math.round(v * 1e7) / 1e7;
  const walk = (c: unknown): unknown =>
    typeof (c as number[])[0] === "number"
      ? [round7((c as number[])[0]! + dx), round7((c as number[])[1]! + dy)]
      : (c as unknown[]).map(walk);
  const geom = g as unknown as { coordinates: unknown };
  return { ...geom, coordinates: walk(geom.coordinates) } as G;
}

/**
 * Writes the city into `dir`: one gzipped JSON dataset per subdistrict and `manifest.json`. Reports progress
 * through `log`. Deterministic: the same seed and count write the same files.
 */
export function writeCity(
  dir: string,
  opts: { subdistricts: number; seed: number; log?: (msg: string) => void },
): CityManifest {
  if (!Number.isInteger(opts.subdistricts) || opts.subdistricts < 1 || opts.subdistricts > 1000) {
    throw new Error("--subdistricts must be an integer from 1 to 1000");
  }
  fs.mkdirSync(dir, { recursive: true });
  const manifest: CityManifest = { seed: opts.seed, subdistricts: [] };
  const started = performance.now();
  for (let index = 0; index < opts.subdistricts; index++) {
    const seed = opts.seed + index;
    const data = citySubdistrict(index, seed);
    const file = `subdistrict-${data.subdistrict.code}.json.gz`;
    fs.writeFileSync(path.join(dir, file), gzipSync(JSON.stringify(data)));
    manifest.subdistricts.push({
      index,
      code: data.subdistrict.code,
      seed,
      offset: offsetOf(index),
      file,
      households: data.entrances.reduce((s, e) => s + e.households, 0),
      buildings: data.buildings.length,
    });
    if ((index + 1) % 10 === 0 || index + 1 === opts.subdistricts) {
      const s = (performance.now() - started) / 1000;
      opts.log?.(`generated ${index + 1}/${opts.subdistricts} subdistricts (${s.toFixed(1)} s)`);
    }
  }
  fs.writeFileSync(path.join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

export function readManifest(dir: string): CityManifest {
  const file = path.join(dir, "manifest.json");
  if (!fs.existsSync(file)) throw new Error(`no city in ${dir}: run \`cli generate-city\` first`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as CityManifest;
}

export function readSubdistrict(dir: string, entry: CitySubdistrict): DemoDataset {
  return JSON.parse(gunzipSync(fs.readFileSync(path.join(dir, entry.file))).toString("utf8")) as DemoDataset;
}
