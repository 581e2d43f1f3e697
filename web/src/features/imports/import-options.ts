import type { Lang } from "../../i18n/lang.ts";

/** What the preview says about the file's coordinates: the CRS used, and whether it was asked for, declared or guessed. */
export type CrsInfo = {
  crs: string | null;
  source: "request" | "file" | "guess" | "none";
  swapped: boolean;
};

/** The preview's warning that lng/lat look shifted the way Chinese web maps shift them. */
export type OffsetWarning = {
  median_m: { as_is: number; gcj02: number; bd09: number };
  suggestion: "GCJ02" | "BD09" | null;
  zh?: string;
  en?: string;
};

export type CrsChoice = { crs: string; zh: string; en: string };

/**
 * The CRSs an import accepts, as the server lists them (`geodata/src/gis/crs.ts`, `crsChoices()`): lng/lat,
 * the Chinese web maps' offsets and the CGCS2000 3-degree Gauss-Krüger zones, with and without zone prefix.
 */
export function crsChoices(): CrsChoice[] {
  const out: CrsChoice[] = [
    { crs: "EPSG:4326", zh: "WGS84 经纬度", en: "WGS84 longitude/latitude" },
    { crs: "EPSG:4490", zh: "CGCS2000 经纬度", en: "CGCS2000 longitude/latitude" },
    { crs: "GCJ02", zh: "GCJ-02（高德、腾讯）", en: "GCJ-02 (AMap, Tencent)" },
    { crs: "BD09", zh: "BD-09（百度）", en: "BD-09 (Baidu)" },
  ];
  for (let cm = 75; cm <= 135; cm += 3) {
    const zone = cm / 3;
    out.push({
      crs: `EPSG:${4534 + zone - 25}`,
      zh: `CGCS2000 高斯-克吕格 3度带 中央经线 ${cm}°E（无带号）`,
      en: `CGCS2000 Gauss-Krüger 3-degree, CM ${cm}°E (no zone prefix)`,
    });
    out.push({
      crs: `EPSG:${4513 + zone - 25}`,
      zh: `CGCS2000 高斯-克吕格 3度带 第${zone}带（带号）`,
      en: `CGCS2000 Gauss-Krüger 3-degree, zone ${zone} (zone prefix)`,
    });
  }
  return out;
}

/** A CRS as people know it, with its code: "WGS84 经纬度 · EPSG:4326". */
export function crsLabel(lang: Lang, crs: string | null): string {
  if (!crs) return "?";
  const choice = crsChoices().find((c) => c.crs === crs);
  return choice ? `${choice[lang]} · ${crs}` : crs;
}

/** A CRS as people know it, without its code: "GCJ-02（高德、腾讯）". */
export function crsName(lang: Lang, crs: string): string {
  return crsChoices().find((c) => c.crs === crs)?.[lang] ?? crs;
}

export type LayerTarget = "venues" | "hazards" | "cameras" | "buildings";
export const LAYER_TARGETS: LayerTarget[] = ["venues", "hazards", "cameras", "buildings"];

/** The fields each target takes (as the server's importer defines them), required ones first. */
export const TARGET_FIELDS: Record<LayerTarget, Array<{ name: string; required: boolean }>> = {
  venues: [
    { name: "name", required: true },
    { name: "category", required: true },
    { name: "address", required: false },
  ],
  hazards: [
    { name: "title", required: true },
    { name: "category", required: true },
    { name: "severity", required: true },
    { name: "note", required: false },
  ],
  cameras: [
    { name: "name", required: true },
    { name: "type", required: true },
    { name: "status", required: false },
    { name: "bearing_deg", required: false },
    { name: "view_width_deg", required: false },
    { name: "range_m", required: false },
    { name: "mount_height_m", required: false },
  ],
  buildings: [
    { name: "floors", required: true },
    { name: "name", required: false },
    { name: "households", required: false },
    { name: "entrances", required: false },
    { name: "kind", required: false },
  ],
};

/** Which files the import pages take, by extension (the server reads the format from the name). */
export const GIS_FILE_ACCEPT = ".geojson,.json,.csv,.zip,.gpkg";
export const OSM_FILE_ACCEPT = ".pbf,.osm";
