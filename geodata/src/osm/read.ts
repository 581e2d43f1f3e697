import fs from "node:fs";
import { runGdalLines } from "../gis/ogr.ts";
import { ImportError } from "./errors.ts";

/** GeoJSON geometry as GDAL writes it, lngLat in EPSG:4326. */
export type OsmGeometry =
  | { type: "Point"; coordinates: [number, number] }
  | { type: "LineString"; coordinates: [number, number][] }
  | { type: "MultiPolygon"; coordinates: [number, number][][][] };

export type Tags = Record<string, string>;

/** One OpenStreetMap object with its tags; `ref` is n123, w123 or r123. */
export interface OsmFeature<G extends OsmGeometry = OsmGeometry> {
  ref: string;
  tags: Tags;
  geometry: G;
}

export interface OsmData {
  /** Tagged nodes. */
  points: OsmFeature<{ type: "Point"; coordinates: [number, number] }>[];
  /** Open and closed ways that are not areas. */
  lines: OsmFeature<{ type: "LineString"; coordinates: [number, number][] }>[];
  /** Closed ways that are areas and multipolygon relations, assembled by GDAL. */
  areas: OsmFeature<{ type: "MultiPolygon"; coordinates: [number, number][][][] }>[];
}

const CONFIG_FILE = new URL("./osmconf.ini", import.meta.url).pathname;

/**
 * What the file is, from its first bytes: an OSM PBF file starts with a BlobHeader whose type is "OSMHeader";
 * OSM XML with `<osm`. Anything else is refused before GDAL tries every driver it has on it.
 */
export function sniffOsmFile(file: string): "pbf" | "xml" {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, "r");
    head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, 512, 0);
    fs.closeSync(fd);
    head = head.subarray(0, n);
  } catch {
    throw new ImportError("file_unreadable", `无法读取文件 ${file}`, `cannot read the file ${file}`);
  }
  if (head.length >= 13 && head.subarray(4, 64).includes("OSMHeader")) return "pbf";
  const text = head.toString("utf8").trimStart();
  if (text.startsWith("<?xml") ? text.includes("<osm") : text.startsWith("<osm")) return "xml";
  throw new ImportError(
    "wrong_format",
    "文件不是 OpenStreetMap 数据（应为 .osm.pbf 或 .osm XML）",
    "the file is not OpenStreetMap data (expected .osm.pbf or .osm XML)",
  );
}

/**
 * Reads an OpenStreetMap file (PBF or XML) through GDAL's OSM driver, which assembles multipolygons from their
 * relations. Every tag is kept. A file GDAL cannot parse to the end (truncated, corrupt) is refused: GDAL reports
 * that on stderr while still exiting 0, so any ERROR line fails the read.
 */
export async function readOsm(file: string): Promise<OsmData> {
  sniffOsmFile(file);
  const [points, lines, areas] = await Promise.all([
    readLayer(file, "points"),
    readLayer(file, "lines"),
    readLayer(file, "multipolygons"),
  ]);
  return {
    points: points as OsmData["points"],
    lines: lines as OsmData["lines"],
    areas: areas as OsmData["areas"],
  };
}

async function readLayer(file: string, layer: "points" | "lines" | "multipolygons"): Promise<OsmFeature[]> {
  const prefix = layer === "points" ? "n" : "w";
  const out: OsmFeature[] = [];
  const args = ["-f", "GeoJSONSeq", "/vsistdout/", file, layer, "-oo", `CONFIG_FILE=${CONFIG_FILE}`];
  const { stderr, code } = await runGdalLines("ogr2ogr", args, (line) => {
    if (!line.trim()) return;
    const f = JSON.parse(line) as {
      properties: { osm_id?: string | null; osm_way_id?: string | null; all_tags?: string | null };
      geometry: OsmGeometry | null;
    };
    if (!f.geometry) return;
    const p = f.properties;
    const ref = p.osm_way_id ? `w${p.osm_way_id}` : layer === "multipolygons" ? `r${p.osm_id}` : `${prefix}${p.osm_id}`;
    out.push({ ref, tags: parseHstore(p.all_tags ?? ""), geometry: f.geometry });
  });
  const errors = stderr
    .split("\n")
    .filter((l) => /^(ERROR|FAILURE)/.test(l))
    .join("; ");
  if (code !== 0 || errors) {
    throw new ImportError(
      "unreadable_osm",
      `OpenStreetMap 文件无法完整读取（文件可能被截断或已损坏）：${errors || `ogr2ogr 退出码 ${code}`}`,
      `the OpenStreetMap file cannot be read to the end (truncated or corrupt?): ${errors || `ogr2ogr exit ${code}`}`,
    );
  }
  return out;
}

/** GDAL's all_tags field: `"key"=>"value","key2"=>"value2"`, with `\"` and `\\` escaped inside the quotes. */
export function parseHstore(s: string): Tags {
  const tags: Tags = {};
  const re = /"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"/g;
  const unquote = (x: string) => x.replace(/\\(.)/g, "$1");
  for (let m = re.exec(s); m; m = re.exec(s)) tags[unquote(m[1]!)] = unquote(m[2]!);
  return tags;
}
