import type { SqlClient } from "../db.ts";
import {
  AREA_COLUMNS,
  BUILDING_COLUMNS,
  createStaging,
  indexStaging,
  insertStaged,
  ROAD_COLUMNS,
} from "../osm/import.stage.ts";
import type { LayersRead, Problem } from "./read.ts";

/** How community polygons that do not tile are mended, and when they are refused instead. */
export interface CommunityRepair {
  /** A hole between communities smaller than this (m²) is a sliver, given to a neighbour. */
  gapM2: number;
  /** …or narrower than this on average (2 × area / perimeter, m): a road left between two boundaries. */
  gapWidthM: number;
}

export const DEFAULT_REPAIR: CommunityRepair = Object.freeze({ gapM2: 1000, gapWidthM: 8 });

/** Road ends within this distance (m) of another road or a community boundary are joined to it. */
const SNAP_M = 5;

/**
 * Fills the staging tables of the OpenStreetMap import (import.stage.ts) from an office's layers, so that the same
 * load (import.load.ts) and proposal write the territory: roads, compounds, buildings with their recorded
 * households and entrances, and communities made to tile (overlaps and sliver gaps mended, the rest refused).
 */
export async function stageLayers(client: SqlClient, data: LayersRead): Promise<void> {
  await createStaging(client);
  const json = JSON.stringify;
  await insertStaged(
    client,
    "_osm_road",
    ROAD_COLUMNS,
    data.roads.map((r, i) => [String(i + 1).padStart(7, "0"), r.class, r.name, json(r.geometry)]),
  );
  await insertStaged(
    client,
    "_osm_compound",
    AREA_COLUMNS,
    data.compounds.map((c) => [
      String(c.row).padStart(7, "0"),
      "estate",
      c.name ?? `小区 ${c.row}`,
      json(multi(c.geometry)),
    ]),
  );
  await insertStaged(
    client,
    "_osm_water",
    AREA_COLUMNS,
    data.water.map((w) => [String(w.row).padStart(7, "0"), w.kind, w.name, json(multi(w.geometry))]),
  );
  await client.query("alter table _osm_building add column code text");
  await insertStaged(
    client,
    "_osm_building",
    [...BUILDING_COLUMNS, ["geom", "geometry"], ["entrances", "int"], ["code", "text"]],
    data.buildings.map((b) => [
      // The ref orders the buildings as the layer does; ids follow it.
      String(b.row).padStart(7, "0"),
      b.use,
      b.floors,
      b.households,
      b.name ?? b.code ?? `楼栋 ${b.row}`,
      json(multi(b.geometry)),
      b.entrances,
      b.code,
    ]),
  );
  if (data.compounds.length === 0 && data.enclosures.length > 0) await inferCompounds(client, data);
  await client.query("alter table _imp_community add column row int");
  await insertStaged(
    client,
    "_imp_community",
    [
      ["row", "int"],
      ["code", "text"],
      ["name", "text"],
      ["geom", "geometry"],
    ],
    data.communities.map((c) => [c.row, c.code, c.name, json(c.geometry)]),
  );
  await indexStaging(client);
}

/**
 * Compounds where no compounds layer gives them: the landuse and fence polygons that enclose (hold the point on
 * surface of) two buildings or more. Smaller enclosures come first, so that a building inside a fenced yard
 * within a larger housing area belongs to the yard.
 */
async function inferCompounds(client: SqlClient, data: LayersRead): Promise<void> {
  await client.query("create temp table _terr_enclosure (row int, name text, geom geometry) on commit drop");
  await insertStaged(
    client,
    "_terr_enclosure",
    [
      ["row", "int"],
      ["name", "text"],
      ["geom", "geometry"],
    ],
    data.enclosures.map((e) => [e.row, e.name, JSON.stringify(e.geometry)]),
  );
  await client.query(
    `insert into _osm_compound (ref, kind, name, geom)
     select lpad((row_number() over (order by ST_Area(e.g), e.row))::text, 7, '0'), 'estate',
       coalesce(e.name, '小区 ' || e.row), ST_Multi(e.g)
     from (select row, name, ST_CollectionExtract(ST_MakeValid(geom), 3) g from _terr_enclosure) e
     where (select count(*) from _osm_building b
            where b.geom && e.g and ST_Intersects(e.g, ST_PointOnSurface(b.geom))) >= 2`,
  );
}

/**
 * Rows whose geometry PostGIS cannot mend into anything (a ring of two points, a polygon of no area): problems.
 */
export async function unusableGeometry(client: SqlClient): Promise<Problem[]> {
  const r = await client.query<{ layer: "communities" | "buildings" | "compounds"; row: number }>(
    `select 'communities' layer, row from _imp_community
       where ST_IsEmpty(ST_CollectionExtract(ST_MakeValid(geom), 3)) or ST_Area(geom::geography) < 0.01
     union all
     select 'buildings', ref::int from _osm_building
       where ST_IsEmpty(ST_CollectionExtract(ST_MakeValid(geom), 3)) or ST_Area(geom::geography) < 0.01
     order by 1, 2`,
  );
  return r.rows.map((x) => ({
    layer: x.layer,
    row: x.row,
    field: "geometry",
    zh: "几何图形无效，无法修复（面积为零或点数不足）",
    en: "the geometry is invalid beyond repair (no area, or too few points)",
  }));
}

/** Mends what can be mended (self-intersections, repeated rings), so that no later step trips on it. */
export async function mendGeometry(client: SqlClient): Promise<void> {
  await client.query(`
    update _osm_building set geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) where not ST_IsValid(geom);
    update _osm_compound set geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) where not ST_IsValid(geom);
    update _osm_water set geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) where not ST_IsValid(geom);
    update _imp_community set geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3));
  `);
}

/**
 * Makes the staged communities tile: each overlap goes to the community that covers more of the buildings in it
 * (the footprint area of the buildings touching it that lies inside each), else to the larger community; each
 * hole between communities that is a sliver (small or narrow) goes to the neighbour sharing most of its outline.
 * Returns what was done, one line a repair, and the holes that are no slivers, as problems: those are land the
 * office must give to a community itself.
 */
export async function repairCommunities(
  client: SqlClient,
  srid: number,
  repair: CommunityRepair,
): Promise<{ notes: string[]; problems: Problem[] }> {
  const notes: string[] = [];
  const overlaps = await client.query<{ a: number; b: number; an: string; bn: string; m2: number; winner: number }>(
    `with o as (
       select a.row a, b.row b, a.name an, b.name bn, ST_Intersection(a.geom, b.geom) g, a.geom ag, b.geom bg
       from _imp_community a join _imp_community b on a.row < b.row and a.geom && b.geom and ST_Intersects(a.geom, b.geom)
     ), m as (
       select o.*, ST_Area(ST_Transform(ST_CollectionExtract(o.g, 3), $1::int)) m2,
         (select coalesce(sum(ST_Area(ST_Intersection(x.geom, o.ag)::geography)), 0) from _osm_building x
           where x.geom && o.g and ST_Intersects(x.geom, o.g)) in_a,
         (select coalesce(sum(ST_Area(ST_Intersection(x.geom, o.bg)::geography)), 0) from _osm_building x
           where x.geom && o.g and ST_Intersects(x.geom, o.g)) in_b
       from o
     )
     select a, b, coalesce(an, a::text) an, coalesce(bn, b::text) bn, m2,
       case when in_a > in_b then a when in_b > in_a then b
         when ST_Area(ag::geography) >= ST_Area(bg::geography) then a else b end winner
     from m where m2 >= 0.01 order by a, b`,
    [srid],
  );
  for (const o of overlaps.rows) {
    const loser = o.winner === o.a ? o.b : o.a;
    await client.query(
      `update _imp_community l set geom = ST_Multi(ST_CollectionExtract(ST_Difference(l.geom, w.geom), 3))
       from _imp_community w where l.row = $1 and w.row = $2`,
      [loser, o.winner],
    );
    const [wn, ln] = o.winner === o.a ? [o.an, o.bn] : [o.bn, o.an];
    notes.push(
      `社区重叠 ${Math.round(o.m2)} m²（${o.an} / ${o.bn}）划归 ${wn} / communities ${o.an} and ${o.bn} overlap by ${Math.round(o.m2)} m²; given to ${wn}, taken from ${ln}`,
    );
  }
  const holes = await client.query<{
    g: string;
    m2: number;
    width_m: number;
    neighbour: number | null;
    nn: string | null;
  }>(
    `with u as (select ST_Union(geom) g from _imp_community),
     h as (
       select ST_MakePolygon(ST_ExteriorRing(r.geom)) g
       from u cross join lateral ST_Dump(u.g) p cross join lateral ST_DumpRings(p.geom) r
       where r.path[1] > 0
     ), m as (
       select h.g, ST_Area(ST_Transform(h.g, $1::int)) m2, ST_Perimeter(ST_Transform(h.g, $1::int)) per_m from h
     )
     select ST_AsGeoJSON(m.g) g, m.m2, 2 * m.m2 / greatest(m.per_m, 1e-9) width_m, n.row neighbour, n.name nn
     from m left join lateral (
       select c.row, c.name from _imp_community c where c.geom && m.g
       order by ST_Length(ST_Intersection(ST_ExteriorRing(m.g), ST_Buffer(c.geom, 1e-7))) desc, c.row limit 1
     ) n on true
     order by m.m2 desc`,
    [srid],
  );
  const problems: Problem[] = [];
  for (const h of holes.rows) {
    if ((h.m2 < repair.gapM2 || h.width_m < repair.gapWidthM) && h.neighbour !== null) {
      await client.query(
        `update _imp_community set geom = ST_Multi(ST_CollectionExtract(ST_Union(geom, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)), 3))
         where row = $1`,
        [h.neighbour, h.g],
      );
      notes.push(
        `社区间缝隙 ${Math.round(h.m2)} m² 并入 ${h.nn ?? h.neighbour} / a gap of ${Math.round(h.m2)} m² between communities given to ${h.nn ?? h.neighbour}`,
      );
    } else {
      problems.push({
        layer: "communities",
        row: null,
        field: "geometry",
        zh: `社区之间有 ${Math.round(h.m2)} m² 的空隙（平均宽 ${Math.round(h.width_m)} 米），不属于任何社区：请在社区图层中把它划入某个社区`,
        en: `a gap of ${Math.round(h.m2)} m² (${Math.round(h.width_m)} m wide on average) lies between communities in none of them: give it to a community in the communities layer`,
        geometry: JSON.parse(h.g),
      });
    }
  }
  return { notes, problems };
}

/**
 * Codes for the communities that have none: the subdistrict code and the next free 3-digit sequence, in the
 * layer's order. Returns a line for each, so that the summary says which codes were made up.
 */
export async function fillCommunityCodes(client: SqlClient, subdistrict: string): Promise<string[]> {
  const rows = (
    await client.query<{ row: number; code: string | null; name: string | null }>(
      "select row, code, name from _imp_community order by row",
    )
  ).rows;
  const used = new Set(rows.map((r) => r.code).filter((c): c is string => c !== null));
  const notes: string[] = [];
  let seq = 0;
  for (const r of rows) {
    if (r.code !== null) continue;
    let code: string;
    do code = `${subdistrict}${String(++seq).padStart(3, "0")}`;
    while (used.has(code));
    used.add(code);
    await client.query("update _imp_community set code = $1, name = coalesce(name, $2) where row = $3", [
      code,
      `社区${seq}`,
      r.row,
    ]);
    notes.push(
      `第 ${r.row} 行社区「${r.name ?? `社区${seq}`}」无社区代码，编为 ${code} / community "${r.name ?? `社区${seq}`}" (row ${r.row}) has no code; given ${code}`,
    );
  }
  return notes;
}

/**
 * Joins road ends that stop short of another road or of a community boundary (within SNAP_M): survey
 * centrelines are often unnoded, with gaps at junctions, and a gap would merge two blocks into one. Each such
 * end is extended to the nearest point of the other line and half a metre past it, so that noding finds the
 * crossing whatever the rounding; the overshoot is a dangle that polygonizing drops.
 */
export async function snapRoads(client: SqlClient, srid: number): Promise<number> {
  await client.query(
    `create temp table _terr_line on commit drop as
       select ref, ST_Transform(geom, $1::int) g from _osm_road
       union all select 'c' || row, ST_Boundary(ST_Transform(geom, $1::int)) from _imp_community;
     create index on _terr_line using gist (g);
     create temp table _terr_end on commit drop as
       select r.ref, e.at_start, e.p
       from _terr_line r
       cross join lateral (values (true, ST_StartPoint(r.g)), (false, ST_EndPoint(r.g))) e(at_start, p)
       where r.ref not like 'c%'
         and not exists (select 1 from _terr_line o where o.ref <> r.ref and ST_DWithin(o.g, e.p, 0.001));
     create temp table _terr_snap on commit drop as
       select e.ref, e.at_start, e.p, ST_ClosestPoint(n.g, e.p) q
       from _terr_end e
       cross join lateral (
         select o.g from _terr_line o where o.ref <> e.ref and ST_DWithin(o.g, e.p, ${SNAP_M})
         order by o.g <-> e.p, o.ref limit 1
       ) n;
     create temp table _terr_ext on commit drop as
       select ref, at_start,
         ST_Translate(q, (ST_X(q) - ST_X(p)) / greatest(ST_Distance(p, q), 1e-9) * 0.5,
           (ST_Y(q) - ST_Y(p)) / greatest(ST_Distance(p, q), 1e-9) * 0.5) ext
       from _terr_snap where ST_Distance(p, q) > 0;
     update _osm_road r set geom = ST_Transform(ST_AddPoint(ST_Transform(r.geom, $1::int), x.ext, 0), 4326)
     from _terr_ext x where x.at_start and x.ref = r.ref;
     update _osm_road r set geom = ST_Transform(ST_AddPoint(ST_Transform(r.geom, $1::int), x.ext), 4326)
     from _terr_ext x where not x.at_start and x.ref = r.ref;`.replaceAll("$1::int", String(Number(srid))),
  );
  const n = await client.query<{ n: number }>("select count(*)::int n from _terr_ext");
  return n.rows[0]!.n;
}

function multi(g: { type: string; coordinates?: unknown }) {
  return g.type === "Polygon" ? { type: "MultiPolygon", coordinates: [g.coordinates] } : g;
}
