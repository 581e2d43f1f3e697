import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildCameras } from "./cameras.ts";
import { buildEstates, frontPoint, type GenBuilding } from "./estates.ts";
import { toLngLat } from "./frame.ts";
import { buildHazards } from "./hazards.ts";
import { Rng } from "./random.ts";
import { buildStaff } from "./staff.ts";
import { buildTerritory, COMMUNITY_LAYOUT, type Rect, type XY } from "./territory.ts";
import type { DemoDataset, DemoHazardTransition, MultiPolygonGeom, PointGeom, PolygonGeom } from "./types.ts";
import { buildInspections, buildVenues } from "./venues.ts";

export const DEFAULT_SEED = 20221127;
/** The "today" of the demo: the last day of visits, inspections and hazard activity. */
export const TODAY = "2026-11-20";
export const SUBDISTRICT_CODE = "150571003";
export const DEFAULT_OUT_DIR = fileURLToPath(new URL("../../out/xincheng/", import.meta.url));
const COMMUNITIES_CSV = fileURLToPath(new URL("../../sources/xincheng-communities.csv", import.meta.url));

/** Shown in the map's attribution: the place is real, the positions approximate and the content synthetic. */
export const ATTRIBUTION =
  "新城街道及其11个社区的名称与区划代码为真实数据（国家统计局2023年统计用区划代码）；位置为近似示意，道路、楼栋、户数、人员、场所、隐患与监控点位均为合成演示数据。" +
  " / Names and codes of Xincheng subdistrict and its 11 communities are real (NBS division codes, 2023); positions are approximate, and roads, buildings, households, staff, venues, hazards and cameras are synthetic demo data.";

/**
 * The Xincheng demo, made from a seed alone: same seed, same dataset, byte for byte. Pure: reads only the
 * communities CSV in geodata/sources and touches no database.
 */
export function generateDemo(seed = DEFAULT_SEED): DemoDataset {
  const rng = new Rng(seed);
  const names = readCommunityNames();
  const territory = buildTerritory(rng.fork("territory"));
  const estates = buildEstates(territory, names, rng.fork("estates"));
  const venues = buildVenues(estates, names, rng.fork("venues"));
  const { workers, assignments } = buildStaff(COMMUNITY_LAYOUT, rng.fork("staff"));
  const inspectors = new Map<string, number[]>();
  for (const w of workers) {
    if (w.role === "grid_worker") inspectors.set(w.communityCode, [...(inspectors.get(w.communityCode) ?? []), w.id]);
  }
  const inspections = buildInspections(venues, inspectors, TODAY, rng.fork("inspections"));
  const hazards = buildHazards(territory, estates, venues, workers, TODAY, rng.fork("hazards"));
  const cameras = buildCameras(territory, estates, venues, rng.fork("cameras"));

  const entrances: DemoDataset["entrances"] = [];
  for (const b of estates.buildings) {
    b.households.forEach((households, k) => {
      entrances.push({ id: entrances.length + 1, buildingId: b.id, seq: k + 1, households, geom: point(door(b, k)) });
    });
  }
  const hazardTransitions: DemoHazardTransition[] = [];
  hazards.forEach((h, k) => {
    for (const t of h.transitions) hazardTransitions.push({ id: hazardTransitions.length + 1, hazardId: k + 1, ...t });
  });

  return {
    seed,
    today: TODAY,
    subdistrict: {
      code: SUBDISTRICT_CODE,
      name: "新城街道",
      nameEn: "Xincheng Subdistrict",
      metricSrid: 4550,
      attribution: ATTRIBUTION,
      geom: multiPolygon(territory.subdistrictRing),
    },
    communities: COMMUNITY_LAYOUT.map((c) => ({
      code: c.code,
      name: names.get(c.code)!,
      nameEn: `${c.nameEn} Community`,
      grids: c.grids,
      geom: multiPolygon(territory.communityRings.get(c.code)!),
    })),
    roads: territory.roads.map((r, k) => ({
      id: k + 1,
      class: r.cls,
      name: r.name,
      geom: { type: "LineString", coordinates: r.pts.map(toLngLat) },
    })),
    water: [{ id: 1, kind: "river", name: "新开河", geom: multiPolygon(territory.riverRing) }],
    compounds: estates.compounds.map((c) => ({
      id: c.id,
      communityCode: c.communityCode,
      name: c.name,
      kind: c.kind,
      geom: rectPolygon(c.rect),
      gates: { type: "MultiPoint", coordinates: c.gates.map((g) => toLngLat(g.at)) },
    })),
    buildings: estates.buildings.map((b) => ({
      id: b.id,
      communityCode: b.communityCode,
      compoundId: b.compoundId,
      kind: b.kind,
      name: b.name,
      floors: b.floors,
      geom: rectPolygon(b.rect),
    })),
    entrances,
    workers,
    assignments,
    venues: venues.map((v) => ({
      id: v.id,
      communityCode: v.communityCode,
      category: v.category,
      name: v.name,
      address: v.address,
      geom: point(v.at),
    })),
    inspections: inspections.map((i, k) => ({ id: k + 1, ...i })),
    hazards: hazards.map((h, k) => ({
      id: k + 1,
      communityCode: h.communityCode,
      venueId: h.venueId,
      category: h.category,
      severity: h.severity,
      status: h.status,
      title: h.title,
      note: h.note,
      geom: point(h.at),
      reportedAt: h.reportedAt,
    })),
    hazardTransitions,
    cameras: cameras.map((c, k) => ({
      id: k + 1,
      communityCode: null,
      name: c.name,
      type: c.type,
      status: c.status,
      bearingDeg: c.bearingDeg,
      viewWidthDeg: c.viewWidthDeg,
      rangeM: c.rangeM,
      mountHeightM: c.mountHeightM,
      defaulted: c.defaulted,
      site: c.site,
      geom: point(c.at),
    })),
  };
}

/** The door of an entrance: 1.5 m inside the front wall, in the middle of its section, so it is in the section. */
function door(b: GenBuilding, k: number): XY {
  return frontPoint(b, k, 1.5);
}

/** Community names as the NBS lists them, without the "居委会" (residents' committee) suffix. */
function readCommunityNames(): Map<string, string> {
  const lines = fs.readFileSync(COMMUNITIES_CSV, "utf8").trim().split(/\r?\n/).slice(1);
  const names = new Map<string, string>();
  for (const line of lines) {
    const m = /^(\d{12}),"?([^",]+)"?,/.exec(line);
    if (m) names.set(m[1]!, m[2]!.replace(/居委会$/, ""));
  }
  for (const c of COMMUNITY_LAYOUT) if (!names.has(c.code)) throw new Error(`community ${c.code} is not in the CSV`);
  return names;
}

function point(p: XY): PointGeom {
  return { type: "Point", coordinates: toLngLat(p) };
}

function multiPolygon(ring: XY[]): MultiPolygonGeom {
  return { type: "MultiPolygon", coordinates: [[ring.map(toLngLat)]] };
}

function rectPolygon(r: Rect): PolygonGeom {
  const ring: XY[] = [
    [r.x0, r.y0],
    [r.x1, r.y0],
    [r.x1, r.y1],
    [r.x0, r.y1],
    [r.x0, r.y0],
  ];
  return { type: "Polygon", coordinates: [ring.map(toLngLat)] };
}

type Row = Record<string, unknown>;

/**
 * Writes the dataset as GeoJSON layers and CSV tables into `dir`; returns the SHA-256 over all files, which
 * is the same for the same seed. The plan and the visits are made by the loader after PostGIS builds parcels.
 */
export function writeDemo(dir = DEFAULT_OUT_DIR, data: DemoDataset = generateDemo()): string {
  fs.mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ["subdistrict.geojson", layer([data.subdistrict])],
    ["communities.geojson", layer(data.communities)],
    ["roads.geojson", layer(data.roads)],
    ["water.geojson", layer(data.water)],
    ["compounds.geojson", layer(data.compounds, "geom")],
    ["buildings.geojson", layer(data.buildings)],
    ["entrances.geojson", layer(data.entrances)],
    ["venues.geojson", layer(data.venues)],
    ["hazards.geojson", layer(data.hazards)],
    ["cameras.geojson", layer(data.cameras)],
    ["workers.csv", csv(data.workers)],
    ["worker_assignments.csv", csv(data.assignments)],
    ["inspections.csv", csv(data.inspections)],
    ["hazard_transitions.csv", csv(data.hazardTransitions)],
  ];
  const hash = createHash("sha256");
  for (const [name, text] of files) {
    fs.writeFileSync(path.join(dir, name), text);
    hash.update(name).update(text);
  }
  return hash.digest("hex");
}

/** A FeatureCollection: `geom` becomes the geometry, every other field a property. */
function layer(rows: readonly object[], geomField = "geom"): string {
  const features = rows.map((row) => {
    const { [geomField]: geometry, ...properties } = row as Row;
    return { type: "Feature", properties, geometry };
  });
  return `${JSON.stringify({ type: "FeatureCollection", features })}\n`;
}

function csv(rows: readonly object[]): string {
  const first = rows[0] as Row | undefined;
  if (!first) return "";
  const cols = Object.keys(first);
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[cols.join(","), ...rows.map((r) => cols.map((c) => cell((r as Row)[c])).join(","))].join("\n")}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? DEFAULT_OUT_DIR;
  const data = generateDemo();
  const hash = writeDemo(dir, data);
  const households = data.entrances.reduce((s, e) => s + e.households, 0);
  console.log(
    `wrote ${dir}: ${data.communities.length} communities, ${data.compounds.length} compounds, ` +
      `${data.buildings.length} buildings, ${data.entrances.length} entrances, ${households} households, ` +
      `${data.venues.length} venues, ${data.hazards.length} hazards, ${data.cameras.length} cameras (sha256 ${hash.slice(0, 12)})`,
  );
}
