import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runGdal } from "@gridatlas/geodata/gis/ogr.ts";
import { type RawBuilder, sql } from "kysely";
import { type Principal, scopeCondition } from "../../auth/principal.ts";
import type { Db } from "../../db/db.ts";
import { placeCondition } from "../../db/postgis.ts";
import { notFound } from "../../errors.ts";
import type { ExportQuery } from "./exports.input.ts";
import { inChinese } from "./exports.zh.ts";

export const EXPORT_LAYERS = ["grids", "parcels", "buildings", "venues", "hazards", "cameras", "communities"] as const;
export type ExportLayer = (typeof EXPORT_LAYERS)[number];

export const FORMATS = {
  geojson: { driver: "GeoJSON", ext: "geojson", type: "application/geo+json" },
  csv: { driver: "CSV", ext: "csv", type: "text/csv; charset=utf-8" },
  shp: { driver: "ESRI Shapefile", ext: "shp.zip", type: "application/zip" },
  gpkg: { driver: "GPKG", ext: "gpkg", type: "application/geopackage+sqlite3" },
} as const;
export type ExportFormat = keyof typeof FORMATS;

/**
 * The features of a layer as the export writes them. Field names are at most 10 characters, so that a
 * Shapefile keeps them as they are and a round trip through any format gives back the same attributes.
 */
async function rows(db: Db, p: Principal, layer: ExportLayer, q: ExportQuery, planId: number | null) {
  const place = (geom: string, parcelId: string, community: string) =>
    sql`${placeCondition(q, { geom, parcelId, community })} and ${scopeCondition(p, { community, parcelId })}`;
  const geo = (col: string) => sql`ST_AsGeoJSON(${sql.ref(col)}, 9)::json`;
  const grid = (parcelCol: string) =>
    sql`(select g.code from plan_parcel pp join grid g on g.id = pp.grid_id where pp.plan_id = ${planId} and pp.parcel_id = ${sql.ref(parcelCol)})`;
  let query: RawBuilder<Record<string, unknown>>;
  switch (layer) {
    case "grids":
      query = sql`select g.code, g.name, g.community_code as community, f.households, f.entrances, f.buildings,
          f.parcels, round(f.area_m2::numeric, 1)::float8 as area_m2, ${geo("g.geom")} as geometry
        from grid g join grid_figure f on f.grid_id = g.id
        where g.plan_id = ${planId} and g.geom is not null
          and (${q.community ?? null}::text is null or g.community_code = ${q.community ?? null})
          and (${q.grid ?? null}::text is null or g.code = ${q.grid ?? null})
          and ${q.bbox ? sql`g.geom && ST_MakeEnvelope(${q.bbox[0]}, ${q.bbox[1]}, ${q.bbox[2]}, ${q.bbox[3]}, 4326)` : sql`true`}
          and ${scopeCondition(p, { community: "g.community_code", gridCode: "g.code" })}
        order by g.code`;
      break;
    case "parcels":
      query = sql`select pa.id, pa.community_code as community, pa.building_id as building, pa.compound_id as compound,
          coalesce(e.households, 0) as households, ${grid("pa.id")} as grid, round(pa.area_m2::numeric, 1)::float8 as area_m2,
          ${geo("pa.geom")} as geometry
        from parcel pa left join entrance e on e.id = pa.entrance_id
        where ${place("pa.geom", "pa.id", "pa.community_code")}
          and (${q.grid ?? null}::text is null or ${grid("pa.id")} = ${q.grid ?? null})
        order by pa.id`;
      break;
    case "buildings":
      query = sql`select b.id, b.name, b.kind, b.floors, b.community_code as community,
          (select coalesce(sum(e.households), 0) from entrance e where e.building_id = b.id)::int as households,
          (select count(*) from entrance e where e.building_id = b.id)::int as entrances, ${geo("b.geom")} as geometry
        from building b
        where ${placeCondition({ ...q, grid: undefined }, { geom: "b.geom", parcelId: "b.id", community: "b.community_code" })}
          and ${scopeCondition(p, { community: "b.community_code", buildingId: "b.id" })}
          and (${q.grid ?? null}::text is null or b.id in (select pa.building_id from parcel pa where ${grid("pa.id")} = ${q.grid ?? null}))
        order by b.id`;
      break;
    case "venues":
      query = sql`select v.id, v.name, v.category, v.address, v.community_code as community, ${grid("v.parcel_id")} as grid,
          ${geo("v.geom")} as geometry
        from venue v where ${place("v.geom", "v.parcel_id", "v.community_code")} order by v.id`;
      break;
    case "hazards":
      query = sql`select h.id, h.title, h.category, h.severity, h.status, h.note, h.community_code as community,
          ${grid("h.parcel_id")} as grid, to_char(h.reported_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as reported,
          ${geo("h.geom")} as geometry
        from hazard h where ${place("h.geom", "h.parcel_id", "h.community_code")} order by h.id`;
      break;
    case "cameras":
      query = sql`select k.id, k.name, k.type, k.status, k.bearing_deg as bearing, k.view_width_deg as view_width,
          k.range_m, k.mount_height_m as height_m, array_to_string(k.defaulted, ',') as defaulted,
          k.community_code as community, ${grid("k.parcel_id")} as grid, ${geo("k.geom")} as geometry
        from camera k where ${place("k.geom", "k.parcel_id", "k.community_code")} order by k.id`;
      break;
    case "communities":
      query = sql`select c.code, c.name, c.name_en, c.band_min, c.band_max, ${geo("c.geom")} as geometry
        from community c
        where (${q.community ?? null}::text is null or c.code = ${q.community ?? null})
          and ${scopeCondition(p, { community: "c.code" })}
        order by c.code`;
      break;
  }
  return (await query.execute(db)).rows;
}

/** The plan whose grids an export names: the one asked for, else the published one of the first subdistrict. */
async function planOf(db: Db, planId: number | undefined): Promise<number | null> {
  const r = await sql<{ id: number }>`
    select id from plan where (${planId ?? null}::int is null and status = 'published') or id = ${planId ?? null}::int
    order by subdistrict_code, id limit 1`.execute(db);
  if (planId !== undefined && !r.rows[0]) throw notFound(`没有编号为 ${planId} 的方案`, `no plan ${planId}`);
  return r.rows[0]?.id ?? null;
}

/**
 * Writes a layer (of a plan, narrowed by community, grid or box, within the principal's scope) to a file of the
 * format through GDAL's ogr2ogr: GeoJSON (RFC 7946), CSV (UTF-8 with BOM, geometry as WKT), Shapefile (zipped,
 * UTF-8 declared in .cpg) or GeoPackage. Returns the file's bytes and name; the temporary files are removed.
 */
export async function exportLayer(
  db: Db,
  p: Principal,
  layer: ExportLayer,
  q: ExportQuery,
): Promise<{ bytes: Buffer; filename: string; type: string; count: number }> {
  const planId = await planOf(db, q.plan);
  const found = await rows(db, p, layer, q, planId);
  const properties = found.map(({ geometry: _, ...props }) => props);
  const named = q.format === "csv" && q.lang === "zh" ? await inChinese(db, layer, properties) : properties;
  const features = found.map((r, i) => ({ type: "Feature", geometry: r.geometry, properties: named[i] }));
  const fmt = FORMATS[q.format];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridatlas-export-"));
  try {
    const source = path.join(dir, "source.geojson");
    fs.writeFileSync(source, JSON.stringify({ type: "FeatureCollection", features }));
    const out = path.join(dir, `${layer}.${fmt.ext}`);
    const lco: Record<ExportFormat, string[]> = {
      geojson: ["RFC7946=YES", "COORDINATE_PRECISION=9", "WRITE_NAME=NO"],
      csv: ["GEOMETRY=AS_WKT", "WRITE_BOM=YES"],
      shp: ["ENCODING=UTF-8"],
      gpkg: [],
    };
    await runGdal(
      "ogr2ogr",
      [
        "-f",
        fmt.driver,
        out,
        source,
        "-nln",
        layer,
        "-a_srs",
        "EPSG:4326",
        ...(q.format === "shp" && layer !== "venues" && layer !== "hazards" && layer !== "cameras"
          ? ["-nlt", "PROMOTE_TO_MULTI"]
          : []),
        ...lco[q.format].flatMap((o) => ["-lco", o]),
      ],
      () => {},
    );
    const stamp = new Date().toISOString().slice(0, 10);
    return {
      bytes: fs.readFileSync(out),
      filename: `${layer}${planId && (layer === "grids" || layer === "parcels") ? `-plan${planId}` : ""}-${stamp}.${fmt.ext}`,
      type: fmt.type,
      count: features.length,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
