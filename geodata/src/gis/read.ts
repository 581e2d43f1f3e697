import fs from "node:fs";
import path from "node:path";
import { ImportError } from "../osm/errors.ts";
import { type CrsGuess, type CrsName, fromChineseWebMap, guessCrs, reproject, type XY } from "./crs.ts";
import { type GeoJsonGeometry, listLayers, type OgrFeature, type OgrLayer, readFeatures } from "./ogr.ts";

/**
 * Reads a GIS file a person brings — GeoJSON, CSV (lng/lat or WKT columns), zipped Shapefile, GeoPackage — into
 * WGS84 GeoJSON features, whatever its CRS: GDAL reads and reprojects what it can name (EPSG codes, including
 * the CGCS2000 zones); northing-first data is swapped and GCJ-02/BD-09 converted here. What the file declares,
 * what the coordinates look like and what was done are reported, so a person can confirm or correct it.
 */

export interface GisReadOptions {
  layer?: string | undefined;
  /** The CRS the coordinates are in, overriding what the file declares. */
  crs?: CrsName | undefined;
  /** Coordinates come northing (or latitude) first. */
  swapAxes?: boolean | undefined;
  /** Text encoding of a Shapefile without .cpg, or of a CSV: "UTF-8" or "GBK". */
  encoding?: string | undefined;
  /** CSV columns holding the position: longitude/easting, latitude/northing, or WKT. */
  xField?: string | undefined;
  yField?: string | undefined;
  wktField?: string | undefined;
  /** Longitude of the subdistrict: the zone of Gauss-Krüger coordinates without zone prefix. */
  nearLng: number;
}

export interface GisRead {
  format: "GeoJSON" | "CSV" | "Shapefile" | "GeoPackage" | "other";
  layers: OgrLayer[];
  layer: OgrLayer;
  /** The CRS the coordinates were read in, where that came from, and whether axes were swapped. */
  crs: { crs: CrsName | null; source: "request" | "file" | "guess" | "none"; swapped: boolean; guess: CrsGuess };
  encoding: string | null;
  /** Features in EPSG:4326, lngLat; `row` counts from 1 in the file's order. */
  features: OgrFeature[];
}

const X_NAMES = ["lng", "lon", "long", "longitude", "x", "经度", "东经", "easting"];
const Y_NAMES = ["lat", "latitude", "y", "纬度", "北纬", "northing"];
const WKT_NAMES = ["wkt", "geometry", "geom", "the_geom", "shape", "几何"];

export async function readGisFile(file: string, o: GisReadOptions): Promise<GisRead> {
  const lower = file.toLowerCase();
  const format = lower.endsWith(".zip")
    ? "Shapefile"
    : lower.endsWith(".csv") || lower.endsWith(".txt")
      ? "CSV"
      : lower.endsWith(".gpkg")
        ? "GeoPackage"
        : lower.endsWith(".geojson") || lower.endsWith(".json")
          ? "GeoJSON"
          : "other";
  let source = format === "Shapefile" ? `/vsizip/${file}` : file;
  const openOptions: string[] = [];
  let encoding: string | null = null;
  if (format === "CSV") {
    source = utf8Csv(file, o.encoding);
    encoding = o.encoding ?? (source === file ? "UTF-8" : "GBK");
    const header = firstLine(source);
    const pick = (given: string | undefined, names: string[]) =>
      given ?? header.find((h) => names.includes(h.trim().toLowerCase())) ?? null;
    const x = pick(o.xField, X_NAMES);
    const y = pick(o.yField, Y_NAMES);
    const wkt = pick(o.wktField, WKT_NAMES);
    if (x && y && !o.wktField) openOptions.push(`X_POSSIBLE_NAMES=${x}`, `Y_POSSIBLE_NAMES=${y}`);
    else if (wkt) openOptions.push(`GEOM_POSSIBLE_NAMES=${wkt}`);
    else {
      throw new ImportError(
        "no_position",
        "CSV 中找不到坐标列：请指定经度/纬度（或 X/Y）列，或 WKT 列",
        "no position columns in the CSV: name the longitude/latitude (or X/Y) columns, or a WKT column",
      );
    }
    openOptions.push("KEEP_GEOM_COLUMNS=NO");
  }
  if (format === "Shapefile") {
    const hasCpg = zipHasCpg(file);
    if (!hasCpg || o.encoding) {
      // Chinese Shapefiles without a .cpg are nearly always GBK; the preview shows the text so it can be corrected.
      encoding = o.encoding ?? "GBK";
      openOptions.push(`ENCODING=${encoding === "GBK" ? "CP936" : encoding}`);
    } else encoding = "from .cpg";
  }
  const layers = await listLayers(source, { openOptions });
  const layer = o.layer ? layers.find((l) => l.name === o.layer) : layers[0];
  if (!layer) {
    throw new ImportError(
      "no_layer",
      o.layer ? `文件中没有图层 ${o.layer}` : "文件中没有图层",
      o.layer ? `the file has no layer ${o.layer}` : "the file holds no layer",
    );
  }
  const declared = format === "CSV" ? null : layer.epsg;
  // Raw coordinates first (GDAL leaves them alone under an assigned EPSG:4326), to see what they look like. When
  // the file declares its CRS and nothing overrides it, GDAL reprojects the features below and the raw ones serve
  // only as the guesser's sample: the first few thousand are enough, and a large layer is not read twice in full.
  const sampleOnly = declared !== null && !o.crs && !o.swapAxes;
  const raw = await readFeatures(source, {
    layer: layer.name,
    openOptions,
    assignSrs: "EPSG:4326",
    limit: sampleOnly ? 2000 : undefined,
  });
  const sample = samplePositions(raw, 500);
  let guess: CrsGuess;
  try {
    guess = guessCrs(sample, o.nearLng);
  } catch (err) {
    // Metres without zone prefix and no longitude to tell the zone by: a CRS given by the person needs no guess.
    if (!(o.crs && err instanceof RangeError)) throw err;
    guess = { kind: "unknown" };
  }
  let crs: CrsName | null;
  let from: GisRead["crs"]["source"];
  if (o.crs) [crs, from] = [o.crs, "request"];
  else if (declared) [crs, from] = [`EPSG:${declared}`, "file"];
  else if (guess.kind === "lnglat") [crs, from] = ["EPSG:4326", "guess"];
  else if (guess.kind === "gk3") [crs, from] = [`EPSG:${guess.srid}`, "guess"];
  else [crs, from] = [null, "none"];
  const swapped = o.swapAxes ?? (from === "guess" && guess.kind !== "unknown" && guess.swapped);
  if (!crs) {
    throw new ImportError(
      "unknown_crs",
      "无法判断坐标系：请选择数据的坐标系",
      "the coordinate system cannot be told: choose the data's CRS",
      { guess },
    );
  }
  let features: OgrFeature[];
  if (crs === "GCJ02" || crs === "BD09") {
    const web = crs;
    features = mapPositions(raw, (p) => fromChineseWebMap(swapped ? [p[1], p[0]] : p, web));
  } else if (!swapped && (from === "file" || crs === "EPSG:4326" || crs === "EPSG:4490")) {
    // GDAL's GeoJSONSeq output is EPSG:4326: it reprojects a declared (or requested) CRS itself.
    features =
      from === "file" ? await readFeatures(source, { layer: layer.name, openOptions, targetSrs: "EPSG:4326" }) : raw;
  } else {
    const srid = Number(crs.slice(5));
    const positions: XY[] = [];
    mapPositions(raw, (p) => {
      positions.push(swapped ? [p[1], p[0]] : p);
      return p;
    });
    const moved = srid === 4326 || srid === 4490 ? positions : await reproject(positions, srid, 4326);
    let k = 0;
    features = mapPositions(raw, () => moved[k++]!);
  }
  return { format, layers, layer, crs: { crs, source: from, swapped, guess }, encoding, features };
}

/** Every position of the features' geometries, in order, replaced by f(position). */
export function mapPositions(features: OgrFeature[], f: (p: XY) => XY): OgrFeature[] {
  const walk = (c: unknown): unknown =>
    Array.isArray(c) && typeof c[0] === "number"
      ? f([c[0] as number, c[1] as number])
      : Array.isArray(c)
        ? c.map(walk)
        : c;
  const geom = (g: GeoJsonGeometry | null): GeoJsonGeometry | null =>
    g === null
      ? null
      : g.type === "GeometryCollection"
        ? { ...g, geometries: (g.geometries as GeoJsonGeometry[]).map(geom) }
        : { ...g, coordinates: walk(g.coordinates) };
  return features.map((x) => ({ ...x, geometry: geom(x.geometry) }));
}

function samplePositions(features: OgrFeature[], n: number): XY[] {
  const out: XY[] = [];
  const step = Math.max(1, Math.floor(features.length / n));
  for (let i = 0; i < features.length && out.length < n; i += step) {
    mapPositions([features[i]!], (p) => {
      if (out.length < n && Number.isFinite(p[0]) && Number.isFinite(p[1])) out.push(p);
      return p;
    });
  }
  return out;
}

function firstLine(file: string): string[] {
  const head = fs.readFileSync(file, "utf8").split(/\r?\n/, 1)[0] ?? "";
  return head
    .replace(/^\uFEFF/, "")
    .split(/[,;\t]/)
    .map((h) => h.replace(/^"|"$/g, ""));
}

/** A UTF-8 copy of a CSV that is not UTF-8 (GBK, as Excel in China writes it), or the file itself. */
function utf8Csv(file: string, encoding: string | undefined): string {
  const bytes = fs.readFileSync(file);
  const enc = (encoding ?? "").toUpperCase().replace("-", "");
  let text: string | null = null;
  if (enc === "GBK" || enc === "GB18030" || enc === "CP936") text = new TextDecoder("gb18030").decode(bytes);
  else if (!encoding) {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder("gb18030").decode(bytes);
    }
  }
  if (text === null) return file;
  const copy = path.join(path.dirname(file), `${path.basename(file, path.extname(file))}.utf8.csv`);
  fs.writeFileSync(copy, text);
  return copy;
}

/** Whether a zip holds a .cpg (the Shapefile's declared encoding), from its central directory's file names. */
export function zipHasCpg(file: string): boolean {
  return zipEntryNames(fs.readFileSync(file)).some((n) => /\.cpg$/i.test(n));
}

/**
 * The names in a zip's central directory (each record: signature PK\x01\x02, name length at +28, name at +46).
 * Searching the raw bytes for ".cpg" is not enough: a name runs straight into the bytes that follow it.
 */
function zipEntryNames(bytes: Buffer): string[] {
  const names: string[] = [];
  for (let i = bytes.indexOf("PK\x01\x02", 0, "latin1"); i >= 0 && i + 46 <= bytes.length; ) {
    const n = bytes.readUInt16LE(i + 28);
    names.push(bytes.toString("latin1", i + 46, i + 46 + n));
    i = bytes.indexOf("PK\x01\x02", i + 46 + n, "latin1");
  }
  return names;
}
