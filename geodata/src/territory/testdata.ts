import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { reproject, type XY } from "../gis/crs.ts";
import { readOsm } from "../osm/read.ts";
import { buildingUse, levelsOf, namesOf, roadClass } from "../osm/tags.ts";

/**
 * A subdistrict office's own GIS layers, made from the Monaco OpenStreetMap extract (ODbL, geodata/sources/monaco)
 * so that the territory import can be tested on real geometry without OpenStreetMap in the loop: communities,
 * buildings, roads and compounds as zipped GBK Shapefiles with Chinese field names, in CGCS2000 Gauss-Krüger
 * (EPSG:4550, Monaco moved rigidly to Tongliao) or CGCS2000 geographic (EPSG:4490), and a households spreadsheet.
 * Deterministic: the same extract gives the same files, so tests and the benchmark generate them at run time.
 *
 * What the layers hold, by design (the tests rely on it):
 * - communities (社区名称, 社区代码): Monaco's quarters; codes 990000002001…, the last quarter without a code;
 * - buildings (楼栋编码, 楼栋名称, 用途, 层数, 户数, 单元数): 户数 and 单元数 on every third building (row 1, 4, 7 …),
 *   层数 where OpenStreetMap maps `building:levels`;
 * - households.csv (楼栋编码, 户数): every sixth building from the second on (rows 2, 8, 14 …), not in the layer;
 * - roads (道路名称, 道路等级): the streets, every line cut back 1.5 m at both ends, as unnoded survey centrelines
 *   with gaps at junctions often are;
 * - compounds (小区名称): named residential landuse.
 * `copies` lays that many copies of Monaco side by side (east), each its own set of communities, for the benchmark.
 */

export const TEST_SUBDISTRICT = "990000002";
/** Where Monaco's centre lands: near Tongliao, in EPSG:4550 (CGCS2000 3-degree zone, central meridian 123°E). */
const TONGLIAO_4550: XY = [441_077, 4_831_860];
const MONACO_PBF = fileURLToPath(new URL("../../sources/monaco/monaco-2026-07-10.osm.pbf", import.meta.url));

export interface OfficeLayers {
  communities: string;
  buildings: string;
  roads: string;
  compounds: string;
  households: string;
  /** Rows of the buildings layer: total, with 户数, in the spreadsheet. */
  counts: { communities: number; buildings: number; recorded: number; inSheet: number; roads: number };
}

type Geom = { type: string; coordinates: unknown };
type Feature = { properties: Record<string, string | number | null>; geometry: Geom };

const CLASS_ZH = { arterial: "主干路", secondary: "次干路", local: "支路" } as const;
const USE_ZH = { residential: "住宅", house: "住宅", unknown: "", commercial: "商业", public: "公共" } as const;

/** Writes the layers of `copies` Monacos into `dir` in EPSG:4550 or EPSG:4490; returns their paths. */
export async function writeOfficeLayers(
  dir: string,
  o: { srid: 4550 | 4490; copies?: number } = { srid: 4550 },
): Promise<OfficeLayers> {
  const copies = o.copies ?? 1;
  const osm = await readOsm(MONACO_PBF);
  const admin = osm.areas.filter((a) => a.tags.boundary === "administrative" && a.tags.admin_level === "10");
  admin.sort((a, b) => (a.ref < b.ref ? -1 : 1));
  const buildings = osm.areas.filter((a) => buildingUse(a.tags) !== null).sort((a, b) => (a.ref < b.ref ? -1 : 1));
  const roads = osm.lines.filter((l) => roadClass(l.tags) !== null).sort((a, b) => (a.ref < b.ref ? -1 : 1));
  const compounds = osm.areas
    .filter((a) => a.tags.landuse === "residential" && a.tags.name)
    .sort((a, b) => (a.ref < b.ref ? -1 : 1));

  // Monaco in UTM 32N metres, then moved (translated only) so its centre lies at TONGLIAO_4550.
  const all = [...admin, ...buildings, ...roads, ...compounds];
  const lngLat: XY[] = [];
  for (const f of all) walk(f.geometry.coordinates, (p) => lngLat.push(p));
  const utm = await reproject(lngLat, 4326, 32632);
  const xs = utm.map((p) => p[0]);
  const ys = utm.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const width = maxX - minX + 500;
  const shift: XY = [TONGLIAO_4550[0] - (minX + maxX) / 2, TONGLIAO_4550[1] - (minY + maxY) / 2];
  let k = 0;
  const moved = new Map<unknown, Geom>();
  for (const f of all) {
    moved.set(f, {
      type: f.geometry.type,
      coordinates: mapCoords(f.geometry.coordinates, () => {
        const p = utm[k++]!;
        return [p[0] + shift[0], p[1] + shift[1]];
      }),
    });
  }

  const layers = { communities: [] as Feature[], buildings: [] as Feature[], roads: [] as Feature[] };
  const compoundRows: Feature[] = [];
  const sheet: string[] = ["楼栋编码,户数"];
  let recorded = 0;
  for (let c = 0; c < copies; c++) {
    const dx = c * width;
    const at = (g: Geom): Geom => ({ type: g.type, coordinates: mapCoords(g.coordinates, (p) => [p[0] + dx, p[1]]) });
    admin.forEach((a, i) => {
      const seq = c * admin.length + i + 1;
      const last = c === copies - 1 && i === admin.length - 1;
      layers.communities.push({
        properties: {
          社区名称: `${namesOf(a.tags).name ?? "社区"}${copies > 1 ? ` ${c + 1}` : ""}`,
          社区代码: last ? null : `${TEST_SUBDISTRICT}${String(seq).padStart(3, "0")}`,
        },
        geometry: at(moved.get(a)!),
      });
    });
    buildings.forEach((b, i) => {
      const row = c * buildings.length + i + 1;
      const use = buildingUse(b.tags)!;
      const geometry = at(moved.get(b)!);
      const levels = levelsOf(b.tags);
      const code = `B${String(row).padStart(6, "0")}`;
      // Recorded households: the floor area at 80 m² a home, a number an office would plausibly have.
      const households = Math.max(1, Math.round((areaM2(geometry) * (levels ?? 5)) / 80));
      const inLayer = row % 3 === 1;
      const inSheet = row % 6 === 2;
      if (inLayer) recorded++;
      if (inSheet) sheet.push(`${code},${households}`);
      layers.buildings.push({
        properties: {
          楼栋编码: code,
          楼栋名称: namesOf(b.tags).name ?? b.tags["addr:street"] ?? null,
          用途: USE_ZH[use] || null,
          层数: levels,
          户数: inLayer ? households : null,
          单元数: inLayer ? Math.max(1, Math.min(6, Math.ceil(households / 60))) : null,
        },
        geometry,
      });
    });
    for (const r of roads) {
      const g = at(moved.get(r)!);
      const line = cutBack(g.coordinates as XY[], 1.5);
      if (!line) continue;
      layers.roads.push({
        properties: { 道路名称: namesOf(r.tags).name ?? null, 道路等级: CLASS_ZH[roadClass(r.tags)!] },
        geometry: { type: "LineString", coordinates: line },
      });
    }
    for (const a of compounds) {
      compoundRows.push({ properties: { 小区名称: a.tags.name! }, geometry: at(moved.get(a)!) });
    }
  }

  fs.mkdirSync(dir, { recursive: true });
  const out = (name: string, features: Feature[]) => writeShapefile(dir, name, features, o.srid);
  const households = path.join(dir, "households.csv");
  // GBK, as Excel in China saves a CSV.
  fs.writeFileSync(households, gbk(`${sheet.join("\r\n")}\r\n`));
  return {
    communities: out("communities", layers.communities),
    buildings: out("buildings", layers.buildings),
    roads: out("roads", layers.roads),
    compounds: out("compounds", compoundRows),
    households,
    counts: {
      communities: layers.communities.length,
      buildings: layers.buildings.length,
      recorded,
      inSheet: sheet.length - 1,
      roads: layers.roads.length,
    },
  };
}

/** A zipped GBK Shapefile (.shp .shx .dbf .prj .cpg) of features in EPSG:4550 metres, written in `srid`. */
function writeShapefile(dir: string, name: string, features: Feature[], srid: 4550 | 4490): string {
  const work = fs.mkdtempSync(path.join(dir, `.${name}-`));
  const src = path.join(work, "in.geojson");
  fs.writeFileSync(
    src,
    JSON.stringify({
      type: "FeatureCollection",
      features: features.map((f) => ({ type: "Feature", properties: f.properties, geometry: f.geometry })),
    }),
  );
  const shp = path.join(work, `${name}.shp`);
  const args = ["-f", "ESRI Shapefile", shp, src, "-s_srs", "EPSG:4550", "-t_srs", `EPSG:${srid}`];
  args.push("-lco", "ENCODING=CP936", "-nln", name);
  run("ogr2ogr", args);
  fs.rmSync(src);
  const zip = path.join(dir, `${name}.zip`);
  fs.rmSync(zip, { force: true });
  run("zip", ["-q", "-j", "-X", zip, ...fs.readdirSync(work).map((f) => path.join(work, f))]);
  fs.rmSync(work, { recursive: true });
  return zip;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.error?.message}`);
}

function gbk(text: string): Buffer {
  const r = spawnSync("iconv", ["-f", "UTF-8", "-t", "GBK"], { input: text });
  if (r.status !== 0) throw new Error(`iconv failed: ${r.stderr}`);
  return r.stdout;
}

function walk(c: unknown, f: (p: XY) => void): void {
  if (Array.isArray(c) && typeof c[0] === "number") f([c[0] as number, c[1] as number]);
  else if (Array.isArray(c)) for (const x of c) walk(x, f);
}

function mapCoords(c: unknown, f: (p: XY) => XY): unknown {
  if (Array.isArray(c) && typeof c[0] === "number") return f([c[0] as number, c[1] as number]);
  return Array.isArray(c) ? c.map((x) => mapCoords(x, f)) : c;
}

/** Planar area of a (Multi)Polygon in its own metres: shells minus holes. */
function areaM2(g: Geom): number {
  const ring = (r: XY[]) =>
    Math.abs(r.reduce((s, p, i) => s + p[0] * r[(i + 1) % r.length]![1] - r[(i + 1) % r.length]![0] * p[1], 0)) / 2;
  const poly = (p: XY[][]) => ring(p[0]!) - p.slice(1).reduce((s, r) => s + ring(r), 0);
  return g.type === "Polygon"
    ? poly(g.coordinates as XY[][])
    : (g.coordinates as XY[][][]).reduce((s, p) => s + poly(p), 0);
}

/** A line shortened by `m` metres at both ends, or null when that leaves nothing. */
function cutBack(line: XY[], m: number): XY[] | null {
  const trim = (pts: XY[]): XY[] | null => {
    let left = m;
    for (let i = 0; i < pts.length - 1; i++) {
      const [a, b] = [pts[i]!, pts[i + 1]!];
      const d = Math.hypot(b[0] - a[0], b[1] - a[1]);
      if (d > left) {
        const t = left / d;
        return [[a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t], ...pts.slice(i + 1)];
      }
      left -= d;
    }
    return null;
  };
  const head = trim(line);
  const both = head && trim([...head].reverse());
  return both && both.length >= 2 ? both.reverse() : null;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = process.argv[2] ?? "geodata/out/office";
  const srid = process.argv.includes("--4490") ? 4490 : 4550;
  const copies = Number(process.argv[process.argv.indexOf("--copies") + 1] ?? 1) || 1;
  const layers = await writeOfficeLayers(dir, { srid, copies });
  console.log(JSON.stringify(layers, null, 2));
}
