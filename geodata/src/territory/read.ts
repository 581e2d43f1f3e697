import fs from "node:fs";
import path from "node:path";
import type { CrsName } from "../gis/crs.ts";
import { type GeoJsonGeometry, listLayers } from "../gis/ogr.ts";
import { type GisRead, readGisFile } from "../gis/read.ts";
import { ImportError } from "../osm/errors.ts";
import type { BuildingUse } from "../osm/tags.ts";
import {
  enclosesCompound,
  type FieldKey,
  matchFields,
  roadClassOf,
  text,
  useOf,
  waterKindOf,
  wholeNumber,
} from "./fields.ts";

/** The layers of a territory import; `households` is the spreadsheet. */
export type LayerName = "communities" | "buildings" | "roads" | "compounds" | "water" | "landuse" | "households";

/** One thing wrong with the input, and where: the layer, the row (from 1, as a person counts) and the field. */
export interface Problem {
  layer: LayerName;
  row: number | null;
  field: string | null;
  zh: string;
  en: string;
  /** Where it is, for a map of the report (EPSG:4326). */
  geometry?: unknown;
}

/** One row of the households spreadsheet: a building's code and its households. */
export interface SheetRow {
  row: number;
  code: unknown;
  households: unknown;
}

/** The layers' files; communities and roads may be left out only when a corrected buildings layer updates a territory. */
export interface LayerFiles {
  communities?: string | undefined;
  buildings: string;
  roads?: string | undefined;
  compounds?: string | undefined;
  /** Water bodies (rivers, lakes, ponds): they cut the blocks and are no one's parcel of buildings. */
  water?: string | undefined;
  /**
   * Landuse or fence polygons (住宅用地, 围墙 …): when no compounds layer is given, those enclosing two buildings or
   * more are taken as compounds.
   */
  landuse?: string | undefined;
}

export interface ReadLayersOptions {
  /** The CRS of every layer, overriding the .prj: for a missing or wrong one, as the preview's override. */
  crs?: CrsName | undefined;
  /** Text encoding of Shapefiles without .cpg; default GBK. */
  encoding?: string | undefined;
  /** Field names by meaning, where the layers use names the import does not know. */
  fields?: Partial<Record<FieldKey, string>> | undefined;
  /** Longitude of the area: the Gauss-Krüger zone of coordinates without zone prefix when no .prj says it. */
  nearLng?: number | undefined;
  /** The box ([minLng, minLat, maxLng, maxLat]) the layers must overlap, when no communities layer gives it. */
  area?: [number, number, number, number] | undefined;
}

export interface CommunityRow {
  row: number;
  code: string | null;
  name: string | null;
  geometry: GeoJsonGeometry;
}
export interface BuildingRow {
  row: number;
  code: string | null;
  name: string | null;
  use: BuildingUse;
  floors: number | null;
  households: number | null;
  /** Where `households` came from: the layer's 户数 or the spreadsheet. */
  householdsFrom: "layer" | "sheet" | null;
  entrances: number | null;
  geometry: GeoJsonGeometry;
}
export interface RoadRow {
  row: number;
  name: string | null;
  class: "arterial" | "secondary" | "local";
  geometry: GeoJsonGeometry;
}
export interface CompoundRow {
  row: number;
  name: string | null;
  geometry: GeoJsonGeometry;
}

export interface WaterRow {
  row: number;
  name: string | null;
  kind: "river" | "canal" | "pond" | "lake";
  geometry: GeoJsonGeometry;
}

export interface LayersRead {
  communities: CommunityRow[];
  buildings: BuildingRow[];
  roads: RoadRow[];
  compounds: CompoundRow[];
  water: WaterRow[];
  /** Landuse and fence polygons that may enclose a compound (the others are left out as they are read). */
  enclosures: CompoundRow[];
  /** How each layer was read: CRS (and where it came from), encoding, the fields matched. */
  layers: Record<
    string,
    { crs: string | null; crsFrom: string; encoding: string | null; fields: Record<string, string> }
  >;
  problems: Problem[];
}

const POLYGONS = new Set(["Polygon", "MultiPolygon"]);
const LINES = new Set(["LineString", "MultiLineString"]);

/**
 * Reads an office's layers and checks every row: geometry of the right kind, numbers that are numbers, codes of
 * the right form and unique, spreadsheet rows naming buildings that exist. Nothing is refused here; every problem
 * is collected, so that one report names them all.
 */
export async function readLayers(
  files: LayerFiles,
  sheet: SheetRow[] | null,
  o: ReadLayersOptions = {},
): Promise<LayersRead> {
  const problems: Problem[] = [];
  const layers: LayersRead["layers"] = {};
  const communitiesRead = files.communities
    ? await readOne("communities", files.communities, o, o.nearLng, problems)
    : null;
  const lngs = communitiesRead?.features.flatMap((f) => firstLng(f.geometry)) ?? [];
  const nearLng = o.nearLng ?? (lngs.length ? lngs.reduce((a, b) => a + b, 0) / lngs.length : undefined);
  // The other layers are read side by side (GDAL works in processes of its own); their problems are listed in
  // layer order all the same.
  const found: Problem[][] = [[], [], [], [], []];
  const [buildingsRead, roadsRead, compoundsRead, waterRead, landuseRead] = await Promise.all([
    readOne("buildings", files.buildings, o, nearLng, found[0]!),
    files.roads ? readOne("roads", files.roads, o, nearLng, found[1]!) : null,
    files.compounds ? readOne("compounds", files.compounds, o, nearLng, found[2]!) : null,
    files.water ? readOne("water", files.water, o, nearLng, found[3]!) : null,
    files.landuse ? readOne("landuse", files.landuse, o, nearLng, found[4]!) : null,
  ]);
  problems.push(...found.flat());

  const describe = (name: LayerName, r: GisRead | null, fields: Record<string, string>) => {
    if (r) layers[name] = { crs: r.crs.crs, crsFrom: r.crs.source, encoding: r.encoding, fields };
  };

  const communities: CommunityRow[] = [];
  if (communitiesRead) {
    const f = fieldsOf(communitiesRead, ["communityName", "communityCode"], o);
    describe("communities", communitiesRead, f);
    const seen = new Map<string, number>();
    for (const feat of communitiesRead.features) {
      const geometry = checkGeometry("communities", feat, POLYGONS, problems);
      const code = text(f.communityCode && feat.properties[f.communityCode]);
      if (code !== null && !/^\d{12}$/.test(code)) {
        problems.push(
          row(
            "communities",
            feat.row,
            f.communityCode!,
            `社区代码应为12位数字，实为「${code}」`,
            `a community code is 12 digits, not "${code}"`,
          ),
        );
      } else if (code !== null && seen.has(code)) {
        problems.push(
          row(
            "communities",
            feat.row,
            f.communityCode!,
            `社区代码 ${code} 与第 ${seen.get(code)} 行重复`,
            `community code ${code} repeats row ${seen.get(code)}`,
          ),
        );
      }
      if (code !== null) seen.set(code, feat.row);
      if (geometry)
        communities.push({
          row: feat.row,
          code,
          name: text(f.communityName && feat.properties[f.communityName]),
          geometry,
        });
    }
  }

  const buildings: BuildingRow[] = [];
  const byCode = new Map<string, BuildingRow>();
  if (buildingsRead) {
    const f = fieldsOf(buildingsRead, ["buildingCode", "buildingName", "use", "floors", "households", "entrances"], o);
    describe("buildings", buildingsRead, f);
    for (const feat of buildingsRead.features) {
      const geometry = checkGeometry("buildings", feat, POLYGONS, problems);
      const p = feat.properties;
      const num = (key: "floors" | "households" | "entrances", min: number, max: number) => {
        if (!f[key]) return null;
        const c = wholeNumber(p[f[key]!], min, max);
        if (c.ok) return c.value;
        problems.push(row("buildings", feat.row, f[key]!, c.zh, c.en));
        return null;
      };
      const b: BuildingRow = {
        row: feat.row,
        code: text(f.buildingCode && p[f.buildingCode]),
        name: text(f.buildingName && p[f.buildingName]),
        use: useOf(text(f.use && p[f.use])),
        floors: num("floors", 1, 120),
        households: num("households", 0, 5000),
        householdsFrom: null,
        entrances: num("entrances", 1, 50),
        geometry: geometry ?? { type: "Polygon", coordinates: [] },
      };
      if (b.households !== null) b.householdsFrom = "layer";
      if (b.code !== null && b.code.length > 50) {
        problems.push(
          row(
            "buildings",
            feat.row,
            f.buildingCode!,
            `楼栋编码最长50个字符，实为 ${b.code.length} 个`,
            `a building code is at most 50 characters, not ${b.code.length}`,
          ),
        );
      } else if (b.code !== null) {
        const other = byCode.get(b.code);
        if (other) {
          problems.push(
            row(
              "buildings",
              feat.row,
              f.buildingCode!,
              `楼栋编码 ${b.code} 与第 ${other.row} 行重复`,
              `building code ${b.code} repeats row ${other.row}`,
            ),
          );
        } else byCode.set(b.code, b);
      }
      if (geometry) buildings.push(b);
    }
  }

  if (sheet) {
    const seen = new Map<string, number>();
    for (const s of sheet) {
      const code = text(s.code);
      const h = wholeNumber(s.households, 0, 5000);
      if (code === null) {
        problems.push(row("households", s.row, "楼栋编码", "缺少楼栋编码", "the building code is missing"));
        continue;
      }
      if (!h.ok) {
        problems.push(row("households", s.row, "户数", h.zh, h.en));
        continue;
      }
      if (seen.has(code)) {
        problems.push(
          row(
            "households",
            s.row,
            "楼栋编码",
            `楼栋编码 ${code} 与第 ${seen.get(code)} 行重复`,
            `building code ${code} repeats row ${seen.get(code)}`,
          ),
        );
        continue;
      }
      seen.set(code, s.row);
      const b = byCode.get(code);
      if (!b) {
        problems.push(
          row(
            "households",
            s.row,
            "楼栋编码",
            `楼栋图层中没有编码为 ${code} 的楼栋`,
            `no building with code ${code} in the buildings layer`,
          ),
        );
        continue;
      }
      // The layer's own 户数 wins: the spreadsheet fills in what the survey left blank.
      if (b.households === null && h.value !== null) {
        b.households = h.value;
        b.householdsFrom = "sheet";
      }
    }
  }

  const roads: RoadRow[] = [];
  if (roadsRead) {
    const f = fieldsOf(roadsRead, ["roadName", "roadClass"], o);
    describe("roads", roadsRead, f);
    for (const feat of roadsRead.features) {
      const geometry = checkGeometry("roads", feat, LINES, problems);
      if (!geometry) continue;
      const cls = roadClassOf(text(f.roadClass && feat.properties[f.roadClass]));
      const name = text(f.roadName && feat.properties[f.roadName]);
      const parts = geometry.type === "LineString" ? [geometry.coordinates] : (geometry.coordinates as unknown[]);
      for (const c of parts)
        roads.push({ row: feat.row, name, class: cls, geometry: { type: "LineString", coordinates: c } });
    }
  }

  const compounds: CompoundRow[] = [];
  if (compoundsRead) {
    const f = fieldsOf(compoundsRead, ["compoundName"], o);
    describe("compounds", compoundsRead, f);
    for (const feat of compoundsRead.features) {
      const geometry = checkGeometry("compounds", feat, POLYGONS, problems);
      if (geometry)
        compounds.push({ row: feat.row, name: text(f.compoundName && feat.properties[f.compoundName]), geometry });
    }
  }

  const water: WaterRow[] = [];
  if (waterRead) {
    const f = fieldsOf(waterRead, ["waterName", "waterKind"], o);
    describe("water", waterRead, f);
    for (const feat of waterRead.features) {
      const geometry = checkGeometry("water", feat, POLYGONS, problems);
      if (geometry)
        water.push({
          row: feat.row,
          name: text(f.waterName && feat.properties[f.waterName]),
          kind: waterKindOf(text(f.waterKind && feat.properties[f.waterKind])),
          geometry,
        });
    }
  }

  const enclosures: CompoundRow[] = [];
  if (landuseRead) {
    const f = fieldsOf(landuseRead, ["landuseName", "landuseKind"], o);
    describe("landuse", landuseRead, f);
    for (const feat of landuseRead.features) {
      const geometry = checkGeometry("landuse", feat, POLYGONS, problems);
      const kind = text(f.landuseKind && feat.properties[f.landuseKind]);
      if (geometry && enclosesCompound(kind))
        enclosures.push({ row: feat.row, name: text(f.landuseName && feat.properties[f.landuseName]), geometry });
    }
  }

  const box = communities.length > 0 ? bbox(communities.map((c) => c.geometry)) : (o.area ?? null);
  if (box) {
    const far = (name: LayerName, geoms: GeoJsonGeometry[]) => {
      if (geoms.length === 0) return;
      const b = bbox(geoms);
      // About 1 km around the communities: a layer wholly outside that was read in the wrong CRS.
      const m = 0.01;
      if (b[0] > box[2] + m || b[2] < box[0] - m || b[1] > box[3] + m || b[3] < box[1] - m) {
        problems.push({
          layer: name,
          row: null,
          field: null,
          zh: `该图层与社区图层不重叠（相距约 ${Math.round(gapKm(b, box))} 公里）：其 .prj 坐标系可能有误，请用 --crs 指定`,
          en: `the layer does not overlap the communities (about ${Math.round(gapKm(b, box))} km away): its .prj may name the wrong CRS; give it with --crs`,
        });
      }
    };
    far(
      "buildings",
      buildings.map((b) => b.geometry),
    );
    far(
      "roads",
      roads.map((r) => r.geometry),
    );
    far(
      "compounds",
      compounds.map((c) => c.geometry),
    );
    far(
      "water",
      water.map((w) => w.geometry),
    );
  }
  return { communities, buildings, roads, compounds, water, enclosures, layers, problems };
}

/** Reads one layer; a layer that cannot be read at all, or whose .prj contradicts its coordinates, is a problem. */
async function readOne(
  layer: LayerName,
  file: string,
  o: ReadLayersOptions,
  nearLng: number | undefined,
  problems: Problem[],
): Promise<GisRead | null> {
  if (!fs.existsSync(file)) {
    problems.push({ layer, row: null, field: null, zh: `找不到文件 ${file}`, en: `no such file: ${file}` });
    return null;
  }
  let read: GisRead;
  try {
    // Without a longitude, the zone of Gauss-Krüger coordinates without zone prefix cannot be told but from the
    // zone the file declares; failing both, 0 makes the guess fail (no zone has that central meridian), reported below.
    const near = nearLng ?? (await declaredLng(file)) ?? 0;
    read = await readGisFile(file, { crs: o.crs, encoding: o.encoding, nearLng: near });
  } catch (e) {
    if (e instanceof RangeError) {
      problems.push({
        layer,
        row: null,
        field: null,
        zh: `${path.basename(file)} 没有 .prj，坐标为不带带号的高斯-克吕格坐标，无法判断投影带：请用 --crs 指定（如 EPSG:4550）`,
        en: `${path.basename(file)} has no .prj and Gauss-Krüger coordinates without zone prefix, so its zone cannot be told: give it with --crs (e.g. EPSG:4550)`,
      });
      return null;
    }
    if (e instanceof ImportError) {
      problems.push({
        layer,
        row: null,
        field: null,
        zh: `${path.basename(file)}：${e.zh}`,
        en: `${path.basename(file)}: ${e.en}`,
      });
      return null;
    }
    throw e;
  }
  const wrong = prjContradiction(read);
  if (wrong) {
    problems.push({ layer, row: null, field: ".prj", ...wrong });
    return null;
  }
  return read;
}

/**
 * Whether the CRS a file declares contradicts what its coordinates look like (the existing guesser's verdict):
 * degrees declared for metres or the other way round, or a zone-prefixed Gauss-Krüger zone other than the one
 * the eastings carry. A .prj copied from another dataset is a common error of hand-assembled Shapefiles.
 */
export function prjContradiction(read: GisRead): { zh: string; en: string } | null {
  if (read.crs.source !== "file") return null;
  const declared = read.crs.crs;
  const geographic = read.layer.crsWkt?.trimStart().startsWith("GEOGCRS") ?? false;
  const g = read.crs.guess;
  const looks =
    g.kind === "lnglat"
      ? { zh: "经纬度", en: "longitude/latitude" }
      : g.kind === "gk3"
        ? { zh: `高斯-克吕格坐标（EPSG:${g.srid}）`, en: `Gauss-Krüger metres (EPSG:${g.srid})` }
        : null;
  const bad =
    (geographic && g.kind === "gk3") ||
    (!geographic && g.kind === "lnglat") ||
    (g.kind === "gk3" && g.withZonePrefix && declared !== `EPSG:${g.srid}`) ||
    (g.kind === "gk3" && !g.withZonePrefix && /^EPSG:45(1[3-9]|2\d|3[0-3])$/.test(declared ?? ""));
  if (!bad || !looks) return null;
  return {
    zh: `.prj 声明 ${declared}，但坐标看起来是${looks.zh}：.prj 可能有误，请用 --crs 指定坐标系`,
    en: `the .prj declares ${declared}, but the coordinates look like ${looks.en}: the .prj may be wrong; give the CRS with --crs`,
  };
}

/** The central meridian of the Gauss-Krüger zone (without prefix) a file declares, or its middle longitude. */
async function declaredLng(file: string): Promise<number | undefined> {
  const source = file.toLowerCase().endsWith(".zip") ? `/vsizip/${file}` : file;
  const layer = (await listLayers(source).catch(() => []))[0];
  const epsg = layer?.epsg;
  if (epsg && epsg >= 4534 && epsg <= 4554) return 75 + 3 * (epsg - 4534);
  if (epsg && epsg >= 4513 && epsg <= 4533) return 75 + 3 * (epsg - 4513);
  return undefined;
}

function fieldsOf(read: GisRead, keys: FieldKey[], o: ReadLayersOptions): Record<string, string> {
  const names = read.layer.fields.map((f) => f.name);
  return matchFields(names, keys, o.fields) as Record<string, string>;
}

function checkGeometry(
  layer: LayerName,
  feat: { row: number; geometry: GeoJsonGeometry | null },
  kinds: Set<string>,
  problems: Problem[],
): GeoJsonGeometry | null {
  const g = feat.geometry;
  if (!g) {
    problems.push(row(layer, feat.row, "geometry", "缺少几何图形", "the geometry is missing"));
    return null;
  }
  if (!kinds.has(g.type)) {
    const want = kinds.has("Polygon") ? ["面", "a polygon"] : ["线", "a line"];
    problems.push(
      row(layer, feat.row, "geometry", `应为${want[0]}，实为 ${g.type}`, `should be ${want[1]}, is ${g.type}`),
    );
    return null;
  }
  let bad = false;
  walk(g.coordinates, (x, y) => {
    if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > 180 || Math.abs(y) > 90) bad = true;
  });
  if (bad) {
    problems.push(
      row(
        layer,
        feat.row,
        "geometry",
        "坐标超出经纬度范围（坐标系有误？）",
        "coordinates out of longitude/latitude range (wrong CRS?)",
      ),
    );
    return null;
  }
  return g;
}

const row = (layer: LayerName, r: number, field: string, zh: string, en: string): Problem => ({
  layer,
  row: r,
  field,
  zh,
  en,
});

function walk(c: unknown, f: (x: number, y: number) => void): void {
  if (Array.isArray(c) && typeof c[0] === "number") f(c[0] as number, c[1] as number);
  else if (Array.isArray(c)) for (const x of c) walk(x, f);
}

function firstLng(g: GeoJsonGeometry | null): number[] {
  let out: number[] = [];
  if (g)
    walk(g.coordinates, (x) => {
      if (out.length === 0) out = [x];
    });
  return out;
}

function bbox(geoms: GeoJsonGeometry[]): [number, number, number, number] {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const g of geoms) {
    walk(g.coordinates, (x, y) => {
      b[0] = Math.min(b[0], x);
      b[1] = Math.min(b[1], y);
      b[2] = Math.max(b[2], x);
      b[3] = Math.max(b[3], y);
    });
  }
  return b;
}

function gapKm(a: number[], b: number[]): number {
  const dx = Math.max(0, a[0]! - b[2]!, b[0]! - a[2]!) * 111 * Math.cos((((a[1]! + b[1]!) / 2) * Math.PI) / 180);
  const dy = Math.max(0, a[1]! - b[3]!, b[1]! - a[3]!) * 111;
  return Math.hypot(dx, dy);
}
