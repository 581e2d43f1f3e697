import path from "node:path";
import type { SqlClient } from "../db.ts";
import { ImportError } from "./errors.ts";
import type { OsmData, Tags } from "./read.ts";
import {
  addressOf,
  buildingUse,
  cameraFromTags,
  flatsOf,
  isStairwellEntrance,
  levelsOf,
  namesOf,
  roadClass,
  venueCategory,
  waterKind,
} from "./tags.ts";

/**
 * The temporary tables an import stages its features in, before import.load.ts writes the territory from them:
 * the OpenStreetMap import fills them from tags, the territory import (../territory/) from an office's own layers.
 * `entrances` of a building is its number of entrances where the data records it (单元数), else null.
 */
export async function createStaging(client: SqlClient): Promise<void> {
  await client.query(`
    create temp table _osm_road (ref text, class text, name text, geom geometry(LineString, 4326)) on commit drop;
    create temp table _osm_water (ref text, kind text, name text, geom geometry(MultiPolygon, 4326)) on commit drop;
    create temp table _osm_compound (ref text, kind text, name text, geom geometry(MultiPolygon, 4326)) on commit drop;
    create temp table _osm_admin (ref text, level int, name text, name_en text, geom geometry(MultiPolygon, 4326)) on commit drop;
    create temp table _osm_building (ref text, use text, levels int, flats int, name text, address text,
      geom geometry(MultiPolygon, 4326), entrances int) on commit drop;
    create temp table _osm_venue (ref text, category text, name text, address text, geom geometry(Point, 4326)) on commit drop;
    create temp table _osm_camera (ref text, name text, type text, bearing float8, width float8, range float8,
      height float8, defaulted text, geom geometry(Point, 4326)) on commit drop;
    create temp table _osm_entrance (ref text, geom geometry(Point, 4326)) on commit drop;
    create temp table _osm_address (ref text, address text, geom geometry(Point, 4326)) on commit drop;
    create temp table _imp_community (code text, name text, name_en text, geom geometry(Geometry, 4326)) on commit drop;
  `);
}

type Column = [name: string, type: string];

/** What both importers put in `_osm_road`, for `insertStaged`. */
export const ROAD_COLUMNS: Column[] = [
  ["ref", "text"],
  ["class", "text"],
  ["name", "text"],
  ["geom", "geometry"],
];

/** What both importers put in `_osm_water` and `_osm_compound`, for `insertStaged`. */
export const AREA_COLUMNS: Column[] = [
  ["ref", "text"],
  ["kind", "text"],
  ["name", "text"],
  ["geom", "geometry"],
];

/** The columns of `_osm_building` both importers fill, before their own. */
export const BUILDING_COLUMNS: Column[] = [
  ["ref", "text"],
  ["use", "text"],
  ["levels", "int"],
  ["flats", "int"],
  ["name", "text"],
];

/** Indexes the staged tables once they are filled. */
export async function indexStaging(client: SqlClient): Promise<void> {
  await client.query(`
    create index on _osm_building using gist (geom);
    create index on _osm_compound using gist (geom);
    create index on _osm_entrance using gist (geom);
    create index on _osm_address using gist (geom);
    analyze _osm_building;
  `);
}

/** Puts the features the import uses into temporary tables, with what their tags mean already worked out. */
export async function stage(client: SqlClient, data: OsmData): Promise<void> {
  await createStaging(client);
  const json = JSON.stringify;
  const label = (tags: Tags) => namesOf(tags).name;

  await insertStaged(
    client,
    "_osm_road",
    ROAD_COLUMNS,
    data.lines.flatMap((f) => {
      const cls = roadClass(f.tags);
      return cls ? [[f.ref, cls, label(f.tags), json(f.geometry)]] : [];
    }),
  );
  await insertStaged(
    client,
    "_osm_water",
    AREA_COLUMNS,
    data.areas.flatMap((f) => {
      const kind = waterKind(f.tags);
      return kind ? [[f.ref, kind, label(f.tags), json(f.geometry)]] : [];
    }),
  );
  await insertStaged(
    client,
    "_osm_compound",
    AREA_COLUMNS,
    data.areas.flatMap((f) => {
      const t = f.tags;
      const kind =
        t.landuse === "residential" && t.name
          ? "estate"
          : ["school", "college", "university", "hospital", "kindergarten"].includes(t.amenity ?? "") && !t.building
            ? "campus"
            : null;
      return kind ? [[f.ref, kind, label(t) ?? f.ref, json(f.geometry)]] : [];
    }),
  );
  await insertStaged(
    client,
    "_osm_admin",
    [
      ["ref", "text"],
      ["level", "int"],
      ["name", "text"],
      ["name_en", "text"],
      ["geom", "geometry"],
    ],
    data.areas.flatMap((f) => {
      const t = f.tags;
      const level = Number.parseInt(t.admin_level ?? "", 10);
      if (t.boundary !== "administrative" || !Number.isFinite(level)) return [];
      const n = namesOf(t);
      return [[f.ref, level, n.name, n.nameEn, json(f.geometry)]];
    }),
  );
  await insertStaged(
    client,
    "_osm_building",
    [...BUILDING_COLUMNS, ["address", "text"], ["geom", "geometry"]],
    data.areas.flatMap((f) => {
      const use = buildingUse(f.tags);
      return use
        ? [[f.ref, use, levelsOf(f.tags), flatsOf(f.tags), label(f.tags), addressOf(f.tags), json(f.geometry)]]
        : [];
    }),
  );
  const venues = [...data.points, ...data.areas].flatMap((f) => {
    const category = venueCategory(f.tags);
    return category ? [[f.ref, category, label(f.tags), addressOf(f.tags), json(f.geometry)]] : [];
  });
  await client.query(
    "create temp table _osm_venue_any (ref text, category text, name text, address text, geom geometry) on commit drop",
  );
  await insertStaged(
    client,
    "_osm_venue_any",
    [
      ["ref", "text"],
      ["category", "text"],
      ["name", "text"],
      ["address", "text"],
      ["geom", "geometry"],
    ],
    venues,
  );
  await client.query(
    `insert into _osm_venue
     select v.ref, v.category, coalesce(v.name, c.name_zh), v.address,
       case when GeometryType(v.geom) = 'POINT' then v.geom else ST_PointOnSurface(ST_MakeValid(v.geom)) end
     from _osm_venue_any v join venue_category c on c.code = v.category`,
  );
  await insertStaged(
    client,
    "_osm_camera",
    [
      ["ref", "text"],
      ["name", "text"],
      ["type", "text"],
      ["bearing", "float8"],
      ["width", "float8"],
      ["range", "float8"],
      ["height", "float8"],
      ["defaulted", "text"],
      ["geom", "geometry"],
    ],
    data.points.flatMap((f) => {
      const c = cameraFromTags(f.tags);
      if (!c) return [];
      const name = label(f.tags) ?? `OSM 监控 ${f.ref}`;
      return [
        [
          f.ref,
          name,
          c.type,
          c.bearingDeg,
          c.viewWidthDeg,
          c.rangeM,
          c.mountHeightM,
          c.defaulted.join(","),
          json(f.geometry),
        ],
      ];
    }),
  );
  await insertStaged(
    client,
    "_osm_entrance",
    [
      ["ref", "text"],
      ["geom", "geometry"],
    ],
    data.points.filter((f) => isStairwellEntrance(f.tags)).map((f) => [f.ref, json(f.geometry)]),
  );
  await insertStaged(
    client,
    "_osm_address",
    [
      ["ref", "text"],
      ["address", "text"],
      ["geom", "geometry"],
    ],
    data.points.flatMap((f) => {
      const a = addressOf(f.tags);
      return a && f.tags["addr:housenumber"] ? [[f.ref, a, json(f.geometry)]] : [];
    }),
  );
  await indexStaging(client);
}

/** Community polygons from a file the user brings, read through GDAL in whatever CRS it declares. */
export async function stageCommunityFile(client: SqlClient, file: string): Promise<void> {
  const { readFeatures } = await import("../gis/ogr.ts");
  const features = await readFeatures(file, { targetSrs: "EPSG:4326" });
  const rows = features.flatMap((f) => {
    if (!f.geometry || (f.geometry.type !== "Polygon" && f.geometry.type !== "MultiPolygon")) return [];
    const p = f.properties;
    const str = (v: unknown) => (v === null || v === undefined || v === "" ? null : String(v));
    return [[str(p.code), str(p.name) ?? str(p.name_zh), str(p.name_en), JSON.stringify(f.geometry)]];
  });
  if (rows.length === 0) {
    throw new ImportError(
      "no_communities",
      `社区文件 ${path.basename(file)} 中没有多边形`,
      `the communities file ${path.basename(file)} holds no polygons`,
    );
  }
  await insertStaged(
    client,
    "_imp_community",
    [
      ["code", "text"],
      ["name", "text"],
      ["name_en", "text"],
      ["geom", "geometry"],
    ],
    rows,
  );
  await client.query("update _imp_community set geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))");
}

/**
 * Communities from the extract: its `admin_level=10` boundaries (quarters, 社区-sized units in many countries);
 * without any, one community covering the buildings (their convex hull, 50 m around).
 */
export async function stageOsmCommunities(client: SqlClient): Promise<void> {
  const r = await client.query(
    `insert into _imp_community (code, name, name_en, geom)
     select null, name, name_en, ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
     from _osm_admin where level = 10 order by ref`,
  );
  if (r.rowCount) return;
  await client.query(
    `insert into _imp_community (code, name, name_en, geom)
     select null, null, null, ST_Multi(ST_Buffer(ST_ConvexHull(ST_Collect(geom))::geography, 50)::geometry)
     from _osm_building`,
  );
}

/** Rows of one kind of feature, as columns (geometry as GeoJSON text) for an unnest insert. */
export async function insertStaged(
  client: SqlClient,
  table: string,
  columns: Column[],
  rows: unknown[][],
): Promise<void> {
  const chunk = 5000;
  const list = columns.map(([n]) => n).join(", ");
  const args = columns.map(([, t], i) => `$${i + 1}::${t === "geometry" ? "text" : t}[]`).join(", ");
  const select = columns
    .map(([n, t]) => (t === "geometry" ? `ST_SetSRID(ST_GeomFromGeoJSON(u.${n}), 4326)` : `u.${n}`))
    .join(", ");
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await client.query(
      `insert into ${table} (${list}) select ${select} from unnest(${args}) u(${list})`,
      columns.map((_, c) => part.map((r) => r[c])),
    );
  }
}
