import path from "node:path";
import type { SqlClient } from "../db.ts";
import { ImportError } from "./errors.ts";
import { entranceCount, estimateHouseholds, type HouseholdEstimate } from "./households.ts";
import { readingOrder } from "./order.ts";
import type { BuildingUse } from "./tags.ts";

type Row = Record<string, unknown>;

const ATTRIBUTION =
  "地图数据 © OpenStreetMap 贡献者（ODbL 1.0）；户数为按建筑面积估算的数值。 / Map data © OpenStreetMap contributors (ODbL 1.0); households are estimated from floor area.";

/** What insertCommunities reads of the import's options (OsmImportOptions, where they are described). */
interface CommunityOptions {
  subdistrictCode: string;
  /** The file the area came from: its name is the subdistrict's name when nothing else gives one. */
  file?: string | undefined;
  /** Where the data comes from, shown on the map; default: OpenStreetMap's line. */
  attribution?: string | undefined;
  name?: string | undefined;
  nameEn?: string | undefined;
  band?: { min: number; max: number } | undefined;
}

/**
 * The CGCS2000 3-degree Gauss-Krüger zone (without zone prefix, EPSG:4534–4554) for an area in China, else the
 * UTM zone of WGS84 (EPSG:326xx north, 327xx south), from the centre of the communities.
 */
export async function defaultMetricSrid(client: SqlClient): Promise<number> {
  const r = await client.query<{ x: number; y: number }>(
    "select ST_X(c) x, ST_Y(c) y from (select ST_Centroid(ST_Collect(geom)) c from _imp_community) t",
  );
  const { x, y } = r.rows[0]!;
  if (x >= 73.5 && x <= 135 && y >= 18 && y <= 54) return 4534 + (Math.round(x / 3) - 25);
  const zone = Math.floor((x + 180) / 6) + 1;
  return (y >= 0 ? 32600 : 32700) + zone;
}

/**
 * Makes the staged communities disjoint (each keeps what no earlier one took), drops slivers under 100 m² and
 * detached scraps without buildings under 1 % of their community (a jetty, a strip of beach: land no grid would
 * reach along a shared boundary), numbers them in reading order and inserts them with the subdistrict that is
 * their union.
 */
export async function insertCommunities(client: SqlClient, options: CommunityOptions, srid: number): Promise<void> {
  const code = options.subdistrictCode;
  const cleaned = await client.query<{
    i: number;
    code: string | null;
    name: string | null;
    name_en: string | null;
    x: number;
    y: number;
    area: number;
    g: string;
  }>(
    `with c as (
       select row_number() over (order by ST_Area(geom) desc, name) i, code, name, name_en, geom from _imp_community
     ), d as (
       select c.i, c.code, c.name, c.name_en,
         coalesce(ST_Difference(c.geom, (select ST_Union(e.geom) from c e where e.i < c.i and e.geom && c.geom)), c.geom) g
       from c
     ), piece as (
       select d.i, p.geom, ST_Area(ST_Transform(p.geom, $1::int)) m2,
         ST_Area(ST_Transform(d.g, $1::int)) total, max(ST_Area(p.geom)) over (partition by d.i) = ST_Area(p.geom) main
       from d cross join lateral ST_Dump(ST_CollectionExtract(d.g, 3)) p
     ), parts as (
       select i, ST_Multi(ST_Collect(geom)) g from piece
       where m2 >= 100 and (main or m2 >= 0.01 * total or exists (
         select 1 from _osm_building b where b.geom && piece.geom and ST_Intersects(b.geom, piece.geom)))
       group by i
     )
     select d.i, d.code, d.name, d.name_en, ST_X(m.c) x, ST_Y(m.c) y, ST_Area(m.t) area, ST_AsGeoJSON(p.g) g
     from d join parts p on p.i = d.i
     cross join lateral (select ST_Transform(p.g, $1::int) t) t0
     cross join lateral (select ST_Centroid(t0.t) c, t0.t) m`,
    [srid],
  );
  if (cleaned.rows.length === 0) {
    throw new ImportError("no_communities", "没有可用的社区范围", "no usable community area");
  }
  if (cleaned.rows.length > 999) {
    throw new ImportError("too_many_communities", "社区超过999个", "more than 999 communities");
  }
  const ordered = readingOrder(cleaned.rows.map((r) => ({ ...r, areaM2: r.area })));
  const given = ordered.map((r) => r.code).filter((c): c is string => c !== null);
  const useGiven =
    given.length === ordered.length && given.every((c) => /^\d{12}$/.test(c)) && new Set(given).size === given.length;
  const communities = ordered.map((r, k) => {
    const seq = String(k + 1).padStart(3, "0");
    return {
      code: useGiven ? r.code! : `${code}${seq}`,
      name: r.name ?? `${options.name ?? "社区"}${k + 1}`,
      nameEn: r.name_en ?? r.name ?? `Community ${k + 1}`,
      g: r.g,
    };
  });
  const admin = await client.query<{ name: string | null; name_en: string | null }>(
    `select a.name, a.name_en from _osm_admin a
     where a.level < 10 and ST_Intersects(a.geom, (select ST_PointOnSurface(ST_Collect(geom)) from _imp_community))
     order by a.level desc limit 1`,
  );
  const fallback = options.file ? path.basename(options.file).replace(/\..*$/, "") : code;
  const name = options.name ?? admin.rows[0]?.name ?? fallback;
  const nameEn = options.nameEn ?? admin.rows[0]?.name_en ?? name;
  await client.query(
    `insert into subdistrict (code, name, name_en, metric_srid, attribution, geom)
     select $1, $2, $3, $4, $5, ST_Multi(ST_Union(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326)))
     from unnest($6::text[]) g`,
    [code, name, nameEn, srid, options.attribution ?? ATTRIBUTION, communities.map((c) => c.g)],
  );
  await client.query(
    `insert into community (code, subdistrict_code, name, name_en, band_min, band_max, geom)
     select u.code, $1, u.name, u.name_en, $2, $3, ST_SetSRID(ST_GeomFromGeoJSON(u.g), 4326)
     from unnest($4::text[], $5::text[], $6::text[], $7::text[]) with ordinality u(code, name, name_en, g, n)
     order by u.n`,
    [
      code,
      options.band?.min ?? 200,
      options.band?.max ?? 300,
      communities.map((c) => c.code),
      communities.map((c) => c.name),
      communities.map((c) => c.nameEn),
      communities.map((c) => c.g),
    ],
  );
}

/** Roads near the subdistrict and its water; returns how many road lines it inserted. */
export async function insertRoadsAndWater(client: SqlClient, code: string, srid: number): Promise<number> {
  const q = <R extends Row = Row>(text: string, values: unknown[] = []) => client.query<R>(text, values);
  // Roads are kept within the subdistrict's box (and 50 m around): lines outside every community make no
  // block, and clipping them to the exact outline would cost more than the whole build. The box is worked out
  // once (materialized): inlined, the planner transformed the whole outline again for every road, twice.
  const r = await q(
    `with s as materialized (
       select ST_Transform(ST_Expand(ST_Envelope(ST_Transform(geom, $2::int)), 50), 4326) box
       from subdistrict where code = $1
     )
     insert into road (subdistrict_code, class, name, geom)
     select $1, r.class, r.name, d.geom
     from _osm_road r
     cross join s
     cross join lateral ST_Dump(ST_Intersection(r.geom, s.box)) d
     where r.geom && s.box and ST_GeometryType(d.geom) = 'ST_LineString'
     order by r.ref, d.path`,
    [code, srid],
  );
  await q(
    `with s as materialized (select geom from subdistrict where code = $1)
     insert into water (subdistrict_code, kind, name, geom)
     select $1, w.kind, w.name, ST_Multi(i.g)
     from _osm_water w cross join s
     cross join lateral (select ST_CollectionExtract(ST_Intersection(ST_MakeValid(w.geom), s.geom), 3) g offset 0) i
     where ST_Intersects(w.geom, s.geom) and not ST_IsEmpty(i.g)
     order by w.ref`,
    [code],
  );
  return r.rowCount ?? 0;
}

type StagedBuilding = {
  i: number;
  ref: string;
  use: BuildingUse;
  levels: number | null;
  flats: number | null;
  name: string | null;
  address: string | null;
  community_code: string;
  area_m2: number;
  long_m: number;
  elongation: number;
  mapped_entrances: number;
  entrances: number | null;
};

/**
 * Which community a building goes to: "point", the one its point on surface lies in (OpenStreetMap, where
 * communities are drawn around buildings); "majority", the one holding most of its footprint, a footprint that
 * straddles a boundary being cut back to that community (an office's layers, where the two are surveyed apart).
 */
export type BuildingPlacement = "point" | "majority";

/**
 * Buildings: each polygon of a footprint made valid, placed in a community as `placement` says;
 * footprints under 10 m² (kiosks, sheds) and footprints mostly inside a bigger one (a part mapped twice) are left
 * out. Then households (mapped or estimated), kind, name and entrances cut by building_sections().
 */
export async function insertBuildings(
  client: SqlClient,
  code: string,
  srid: number,
  estimate: HouseholdEstimate,
  log: (msg: string) => void,
  placement: BuildingPlacement = "point",
): Promise<void> {
  const q = <R extends Row = Row>(text: string, values: unknown[] = []) => client.query<R>(text, values);
  await q(
    `insert into compound (community_code, name, kind, geom)
     select c.code, o.name, o.kind, largest_polygon(ST_Intersection(ST_MakeValid(o.geom), c.geom))
     from _osm_compound o
     cross join lateral (
       select cm.code, cm.geom from community cm
       where cm.subdistrict_code = $1 and ST_Intersects(cm.geom, ST_PointOnSurface(ST_MakeValid(o.geom)))
       order by cm.code limit 1
     ) c
     order by o.ref`,
    [code],
  );
  await q(
    `create temp table _imp_building on commit drop as
     select row_number() over (order by b.ref, p.path) i, b.ref, b.use, b.levels, b.flats, b.name, b.entrances,
       coalesce(b.address, (select a.address from _osm_address a where ST_Intersects(a.geom, p.geom) order by a.ref limit 1)) address,
       c.code community_code, c.geom, ST_Transform(c.geom, $2::int) g
     from _osm_building b
     cross join lateral ST_Dump(ST_CollectionExtract(ST_MakeValid(b.geom), 3)) p
     cross join lateral (${
       placement === "point"
         ? `select cm.code, p.geom from community cm
            where cm.subdistrict_code = $1 and ST_Intersects(cm.geom, ST_PointOnSurface(p.geom))
            order by cm.code limit 1`
         : `select cm.code, case when ST_CoveredBy(p.geom, cm.geom) then p.geom
              else largest_polygon(ST_Intersection(p.geom, cm.geom)) end geom
            from community cm
            where cm.subdistrict_code = $1 and ST_Intersects(cm.geom, p.geom)
            order by case when ST_CoveredBy(p.geom, cm.geom) then 'infinity'::float8
              else ST_Area(ST_Intersection(p.geom, cm.geom)) end desc, cm.code
            limit 1`
     }) c
     where c.geom is not null and ST_Area(ST_Transform(c.geom, $2::int)) >= 10`,
    [code, srid],
  );
  await q("create index on _imp_building using gist (g); analyze _imp_building");
  const dropped = await q(
    `delete from _imp_building a using _imp_building b
     where a.i <> b.i and a.g && b.g
       and (ST_Area(b.g) > ST_Area(a.g) or (ST_Area(b.g) = ST_Area(a.g) and b.i < a.i))
       and ST_Area(ST_Intersection(a.g, b.g)) > 0.5 * ST_Area(a.g)`,
  );
  if (dropped.rowCount) log(`  ${dropped.rowCount} footprints mostly inside a bigger one left out`);
  const staged = await q<StagedBuilding>(
    `select b.i, b.ref, b.use, b.levels, b.flats, b.name, b.address, b.community_code, b.entrances,
       ST_Area(b.g) area_m2, s.long_m, s.long_m / greatest(s.short_m, 1) elongation,
       (select count(*) from _osm_entrance e where ST_DWithin(ST_Transform(e.geom, $1::int), b.g, 1.5))::int mapped_entrances
     from _imp_building b
     cross join lateral (select ST_ExteriorRing(ST_OrientedEnvelope(b.g)) r) o
     cross join lateral (
       select greatest(ST_Distance(ST_PointN(o.r, 1), ST_PointN(o.r, 2)), ST_Distance(ST_PointN(o.r, 2), ST_PointN(o.r, 3))) long_m,
         least(ST_Distance(ST_PointN(o.r, 1), ST_PointN(o.r, 2)), ST_Distance(ST_PointN(o.r, 2), ST_PointN(o.r, 3))) short_m
     ) s
     order by b.i`,
    [srid],
  );
  const rows = staged.rows.map((b) => {
    const h = estimateHouseholds({ use: b.use, areaM2: b.area_m2, levels: b.levels, flats: b.flats }, estimate);
    const floors = Math.min(120, Math.max(1, h.floors));
    // Entrances the data records (单元数) are kept as they are; only missing ones are estimated.
    const n =
      b.entrances ??
      entranceCount({ households: h.households, mappedEntrances: b.mapped_entrances, longSideM: b.long_m }, estimate);
    const residential = b.use === "residential" || b.use === "house" || b.use === "unknown";
    const kind =
      b.use === "commercial"
        ? "shop"
        : b.use === "public"
          ? "public"
          : floors <= 3 || !residential
            ? "lowrise"
            : floors >= 10 && b.elongation < 2
              ? "tower"
              : "slab";
    const name = b.name ?? b.address ?? `OSM ${b.ref}`;
    return { ...b, ...h, floors, n, kind, name };
  });
  // Ids are drawn from the sequence first, so each staged footprint knows its building and entrances follow.
  await q(
    `alter table _imp_building add column id int, add column households int, add column estimated bool,
       add column n int, add column kind text, add column label text, add column floors int`,
  );
  await q(
    `update _imp_building b set id = nextval(pg_get_serial_sequence('building', 'id')), households = u.households,
       estimated = u.estimated, n = u.n, kind = u.kind, label = u.name, floors = u.floors
     from unnest($1::int[], $2::int[], $3::bool[], $4::int[], $5::text[], $6::text[], $7::int[])
       u(i, households, estimated, n, kind, name, floors)
     where b.i = u.i`,
    [
      rows.map((r) => r.i),
      rows.map((r) => r.households),
      rows.map((r) => r.estimated),
      rows.map((r) => r.n),
      rows.map((r) => r.kind),
      rows.map((r) => r.name),
      rows.map((r) => r.floors),
    ],
  );
  await q(
    `insert into building (id, community_code, compound_id, kind, name, floors, geom) overriding system value
     select b.id, b.community_code,
       (select k.id from compound k where k.community_code = b.community_code
         and ST_Intersects(k.geom, ST_PointOnSurface(b.geom)) order by k.id limit 1),
       b.kind, b.label, b.floors, ST_ForcePolygonCCW(b.geom)
     from _imp_building b order by b.i`,
  );
  // Sections along the long axis, one per entrance; the door is a point inside its section. Households are split
  // as evenly as whole numbers allow.
  await q(
    `insert into entrance (building_id, seq, households, households_estimated, geom, section)
     select b.id, s.seq, b.households / b.n + case when s.seq <= b.households % b.n then 1 else 0 end, b.estimated,
       ST_PointOnSurface(s.geom), ST_ForcePolygonCCW(s.geom)
     from _imp_building b cross join lateral building_sections(b.geom, b.n, $1::int) s
     where s.geom is not null and not ST_IsEmpty(s.geom)
     order by b.i, s.seq`,
    [srid],
  );
}

/** Venues and cameras inside the subdistrict; a venue without an address takes the address of its building. */
export async function insertVenuesAndCameras(
  client: SqlClient,
  code: string,
): Promise<{ venues: number; cameras: number }> {
  const q = <R extends Row = Row>(text: string, values: unknown[] = []) => client.query<R>(text, values);
  const v = await q(
    `insert into venue (category, name, address, geom)
     select v.category, v.name, coalesce(v.address, b.address), v.geom
     from _osm_venue v
     cross join (select geom from subdistrict where code = $1) s
     left join lateral (
       select o.address from _osm_building o
       where o.address is not null and ST_Intersects(o.geom, v.geom) order by o.ref limit 1
     ) b on true
     where ST_Intersects(s.geom, v.geom)
     order by v.ref`,
    [code],
  );
  const c = await q(
    `insert into camera (name, type, status, bearing_deg, view_width_deg, range_m, mount_height_m, defaulted, site, geom)
     select c.name, c.type, 'online', c.bearing, c.width, c.range, c.height, string_to_array(c.defaulted, ','), 'other', c.geom
     from _osm_camera c cross join (select geom from subdistrict where code = $1) s
     where ST_Intersects(s.geom, c.geom)
     order by c.ref`,
    [code],
  );
  return { venues: v.rowCount ?? 0, cameras: c.rowCount ?? 0 };
}

/** Blocks, parcels and their adjacency by build_territory(), the demo's code; entrances left without land go. */
export async function buildParcels(
  client: SqlClient,
  code: string,
  spacingM: number,
  log: (msg: string) => void,
): Promise<{ blocks: number; parcels: number }> {
  const q = <R extends Row = Row>(text: string, values: unknown[] = []) => client.query<R>(text, values);
  const r = await q<{ summary: { blocks: number; parcels: number } }>("select build_territory($1, $2) as summary", [
    code,
    spacingM,
  ]);
  // An entrance whose section lies in water or outside every community has no parcel; it cannot be in a grid,
  // so it goes, with buildings left without entrances.
  const lost = await q<{ n: number; households: number }>(
    `with gone as (
       delete from entrance e using building b, community c
       where b.id = e.building_id and c.code = b.community_code and c.subdistrict_code = $1
         and not exists (select 1 from parcel p where p.entrance_id = e.id)
       returning e.households
     ) select count(*)::int n, coalesce(sum(households), 0)::int households from gone`,
    [code],
  );
  if (lost.rows[0]!.n) {
    log(
      `  ${lost.rows[0]!.n} entrances (${lost.rows[0]!.households} households) fell on no land parcel and were dropped`,
    );
    await q(
      `delete from building b using community c
       where c.code = b.community_code and c.subdistrict_code = $1
         and not exists (select 1 from entrance e where e.building_id = b.id)
         and not exists (select 1 from parcel p where p.building_id = b.id)`,
      [code],
    );
  }
  log(`  ${r.rows[0]!.summary.blocks} blocks, ${r.rows[0]!.summary.parcels} parcels`);
  return r.rows[0]!.summary;
}

/** What the subdistrict holds once built, for the summary. */
export async function territoryTotals(client: SqlClient, code: string) {
  const totals = await client.query<{
    communities: number;
    buildings: number;
    entrances: number;
    households: number;
    households_estimated: number;
  }>(
    `select (select count(*) from community where subdistrict_code = $1)::int communities,
       (select count(*) from building b join community c on c.code = b.community_code where c.subdistrict_code = $1)::int buildings,
       count(e.id)::int entrances, coalesce(sum(e.households), 0)::int households,
       coalesce(sum(e.households) filter (where e.households_estimated), 0)::int households_estimated
     from entrance e join building b on b.id = e.building_id
     join community c on c.code = b.community_code and c.subdistrict_code = $1`,
    [code],
  );
  return totals.rows[0]!;
}
