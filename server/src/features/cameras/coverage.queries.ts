import type { Geometry } from "geojson";
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../../db/db.ts";
import { badRequest } from "../../errors.ts";

/** Which cameras count: what the network sees today, or with the planned cameras built too. Offline ones never. */
export type Scenario = "current" | "planned";
export const SCENARIOS = ["current", "planned"] as const;
export const ROAD_CLASSES = ["arterial", "secondary", "local"] as const;
export type RoadClass = (typeof ROAD_CLASSES)[number];
export const KEY_PLACE_KINDS = ["intersection", "gate", "school_gate", "venue"] as const;
export type KeyPlaceKind = (typeof KEY_PLACE_KINDS)[number];

/**
 * Venue categories counted as key places unless the caller chooses others: schools and kindergartens, places for
 * minors, and the "complex places" of the report (markets, internet cafés, hotels).
 */
export const DEFAULT_KEY_CATEGORIES = [
  "school",
  "kindergarten",
  "youth_room",
  "cultural_facility",
  "market",
  "internet_cafe",
  "hotel",
] as const;

/** A stretch of road within this distance of a grid belongs to it: centre lines run along grid edges. */
export const GRID_TOLERANCE_M = 0.5;

export type ClassFigures = { length_m: number; covered_m: number; covered_share: number | null };

/** Coverage of a grid or community under one scenario. Shares are 0–1, null where there is nothing to cover. */
export type Figures = {
  road_length_m: number;
  road_covered_m: number;
  road_covered_share: number | null;
  by_class: Record<RoadClass, ClassFigures>;
  key_places: number;
  key_places_covered: number;
  key_places_covered_share: number | null;
  key_places_by_kind: Record<KeyPlaceKind, { total: number; covered: number }>;
  cameras: { online: number; offline: number; planned: number };
};

/** A set of grids whose coverage is figured as one: a grid alone, or all the grids of a community. */
export type Area = { key: string; grids: readonly number[] };

const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const round = (m: number) => Math.round(m * 10) / 10;

/** Statuses of cameras that count in a scenario, as SQL. */
const counts = (scenario: Scenario, status: RawBuilder<unknown>) =>
  scenario === "current" ? sql<boolean>`${status} = 'online'` : sql<boolean>`${status} in ('online', 'planned')`;

/** Pairs (area key, grid id) as a derived table named `area`. */
function areaTable(areas: readonly Area[]) {
  const keys = areas.flatMap((a) => a.grids.map(() => a.key));
  const ids = areas.flatMap((a) => [...a.grids]);
  return sql`(select * from unnest(${keys}::text[], ${ids}::int[]) as u(area, grid_id))`;
}

/**
 * Runs coverage work in one transaction with JIT compilation off. PostGIS functions declare high costs, so
 * PostgreSQL would JIT-compile these queries — seconds of compiling for queries that run in milliseconds.
 */
export function inCoverageTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    return fn(trx);
  });
}

/**
 * Makes sure what coverage figures read is computed: the key places (coverage_place) and the road stretches of
 * these grids for their current geometry. One round trip; both are kept until what they come from changes.
 */
export async function prepareCoverage(db: Db, gridIds: readonly number[]): Promise<void> {
  await sql`select coverage_place_fill(), coverage_grid_refresh(${[...gridIds]}::int[])`.execute(db);
}

/**
 * Key places of the chosen venue categories (gates and intersections always) within the box of some grids, in
 * EPSG:4326 and in a metric CRS, with whether an online camera sees each (current) and whether an online or
 * planned one does (planned).
 */
function keyPlaces(gridIds: readonly number[], categories: readonly string[], srid: RawBuilder<unknown>) {
  return sql`(
    select p.key, p.kind, p.geom, ST_Transform(p.geom, ${srid}) as geom_m,
      coalesce(s.current, false) as current, coalesce(s.planned, false) as planned
    from (select ST_Expand(ST_Extent(g.geom), 0.0001) as b from grid g where g.id = any(${[...gridIds]}::int[])) box
    join coverage_place p on p.geom && box.b
    left join lateral (
      select bool_or(${counts("current", sql`k.status`)}) as current, bool_or(${counts("planned", sql`k.status`)}) as planned
      from camera_view v join camera k on k.id = v.camera_id where ST_Intersects(v.geom, p.geom)
    ) s on true
    where p.kind <> 'venue' or p.category = any(${[...categories]}::text[])
  )`;
}

/** Refuses venue categories that do not exist, naming them. */
export async function checkCategories(db: Db, categories: readonly string[]): Promise<void> {
  const known = await db.selectFrom("venue_category").select("code").execute();
  const codes = new Set(known.map((k) => k.code));
  const unknown = categories.filter((c) => !codes.has(c));
  if (unknown.length) {
    throw badRequest(
      "key_categories",
      `没有这些场所类别：${unknown.join("、")}`,
      `no such venue categories: ${unknown.join(", ")}`,
    );
  }
}

function emptyFigures(): Figures {
  const cls = (): ClassFigures => ({ length_m: 0, covered_m: 0, covered_share: null });
  const kind = () => ({ total: 0, covered: 0 });
  return {
    road_length_m: 0,
    road_covered_m: 0,
    road_covered_share: null,
    by_class: { arterial: cls(), secondary: cls(), local: cls() },
    key_places: 0,
    key_places_covered: 0,
    key_places_covered_share: null,
    key_places_by_kind: { intersection: kind(), gate: kind(), school_gate: kind(), venue: kind() },
    cameras: { online: 0, offline: 0, planned: 0 },
  };
}

/**
 * Coverage figures of areas under both scenarios (one pass over the data gives both). A stretch of road, a key
 * place or a camera shared by several grids of one area counts once in it. Expects fresh views (refreshViews) and
 * prepareCoverage of the grids in the same transaction.
 */
export async function areaFigures(
  db: Db,
  areas: readonly Area[],
  categories: readonly string[] = DEFAULT_KEY_CATEGORIES,
): Promise<Map<string, Record<Scenario, Figures>>> {
  const out = new Map<string, Record<Scenario, Figures>>();
  for (const a of areas) out.set(a.key, { current: emptyFigures(), planned: emptyFigures() });
  const gridIds = [...new Set(areas.flatMap((a) => a.grids))];
  if (!gridIds.length) return out;
  const area = areaTable(areas);

  type RoadRow = { area: string; class: RoadClass; length_m: number; current_m: number; planned_m: number };
  type PlaceRow = { area: string; kind: KeyPlaceKind; total: number; current: number; planned: number };
  type CameraRow = { area: string; online: number; offline: number; planned: number };
  const result = await sql<{ roads: RoadRow[]; places: PlaceRow[]; cameras: CameraRow[] }>`
    with area as materialized ${area},
    ar as (
      select a.area, cgr.road_id, range_agg(cgr.along) as along
      from area a join coverage_grid_road cgr on cgr.grid_id = a.grid_id
      group by a.area, cgr.road_id
    ),
    seen as (
      select v.road_id,
        range_agg(v.seen) filter (where ${counts("current", sql`k.status`)}) as current,
        range_agg(v.seen) filter (where ${counts("planned", sql`k.status`)}) as planned
      from camera_view_road v join camera k on k.id = v.camera_id
      where v.road_id in (select road_id from ar)
      group by v.road_id
    ),
    road_rows as (
      select ar.area, r.class, sum(multirange_length(ar.along)) as length_m,
        sum(coalesce(multirange_length(ar.along * s.current), 0)) as current_m,
        sum(coalesce(multirange_length(ar.along * s.planned), 0)) as planned_m
      from ar join road r on r.id = ar.road_id left join seen s on s.road_id = ar.road_id
      group by ar.area, r.class
    ),
    place as materialized ${keyPlaces(gridIds, categories, sql`(select ST_SRID(geom_m) from coverage_grid where grid_id = ${gridIds[0]!})`)},
    placed as (
      select distinct a.area, p.key, p.kind, p.current, p.planned
      from place p
      join coverage_grid cg on ST_DWithin(cg.geom_m, p.geom_m, ${GRID_TOLERANCE_M})
      join area a on a.grid_id = cg.grid_id
    ),
    place_rows as (
      select area, kind, count(*)::int as total, count(*) filter (where current)::int as current,
        count(*) filter (where planned)::int as planned
      from placed group by area, kind
    ),
    camera_rows as (
      select a.area, count(distinct k.id) filter (where k.status = 'online')::int as online,
        count(distinct k.id) filter (where k.status = 'offline')::int as offline,
        count(distinct k.id) filter (where k.status = 'planned')::int as planned
      from area a join plan_parcel pp on pp.grid_id = a.grid_id join camera k on k.parcel_id = pp.parcel_id
      group by a.area
    )
    select (select coalesce(json_agg(x), '[]') from road_rows x) as roads,
      (select coalesce(json_agg(x), '[]') from place_rows x) as places,
      (select coalesce(json_agg(x), '[]') from camera_rows x) as cameras`.execute(db);
  const { roads, places, cameras } = result.rows[0]!;
  for (const row of roads) {
    const f = out.get(row.area);
    if (!f) continue;
    for (const s of SCENARIOS) {
      const cls = f[s].by_class[row.class];
      cls.length_m += row.length_m;
      cls.covered_m += s === "current" ? row.current_m : row.planned_m;
    }
  }
  for (const row of places) {
    const f = out.get(row.area);
    if (!f) continue;
    for (const s of SCENARIOS) f[s].key_places_by_kind[row.kind] = { total: row.total, covered: row[s] };
  }
  for (const row of cameras) {
    const f = out.get(row.area);
    if (!f) continue;
    for (const s of SCENARIOS) f[s].cameras = { online: row.online, offline: row.offline, planned: row.planned };
  }
  for (const f of out.values()) {
    for (const s of SCENARIOS) {
      const x = f[s];
      for (const cls of ROAD_CLASSES) {
        const b = x.by_class[cls];
        x.road_length_m += b.length_m;
        x.road_covered_m += b.covered_m;
        b.covered_share = share(b.covered_m, b.length_m);
        b.length_m = round(b.length_m);
        b.covered_m = round(b.covered_m);
      }
      x.road_covered_share = share(x.road_covered_m, x.road_length_m);
      x.road_length_m = round(x.road_length_m);
      x.road_covered_m = round(x.road_covered_m);
      for (const k of KEY_PLACE_KINDS) {
        x.key_places += x.key_places_by_kind[k].total;
        x.key_places_covered += x.key_places_by_kind[k].covered;
      }
      x.key_places_covered_share = share(x.key_places_covered, x.key_places);
    }
  }
  return out;
}

/** Published grids, optionally of some communities, with their ids for the figures. */
export function publishedGrids(db: Db, communities: readonly string[] | null) {
  let q = db
    .selectFrom("published_grid")
    .select(["id", "code", "name", "community_code"])
    .$narrowType<{ id: number; code: string; name: string; community_code: string }>()
    .orderBy("code");
  if (communities) q = q.where("community_code", "in", communities.length ? [...communities] : [""]);
  return q.execute();
}

/** A published grid, as coverage lists it. */
export type GridRef = { id: number; code: string; name: string; community_code: string };

/**
 * Published grids a camera change can alter: near a view it had before (GeoJSON) or has now (the stored views of
 * `cameraIds`), or holding a parcel it stood or stands on.
 */
export async function gridsNear(
  db: Db,
  views: readonly Geometry[],
  cameraIds: readonly number[],
  parcelIds: readonly number[],
): Promise<GridRef[]> {
  const r = await sql<GridRef>`
    with v as materialized (
      select ST_SetSRID(ST_GeomFromGeoJSON(u.v), 4326) as geom
      from unnest(${views.map((v) => JSON.stringify(v))}::text[]) as u(v)
      union all
      select geom from camera_view where camera_id = any(${[...cameraIds]}::int[])
    ),
    ids as (
      select g.id from v join published_grid g on ST_DWithin(g.geom, v.geom, 0.00001)
      union
      select pp.grid_id from published_parcel pp where pp.parcel_id = any(${[...parcelIds]}::int[])
    )
    select g.id, g.code, g.name, g.community_code from grid g where g.id in (select id from ids)
    order by g.code`.execute(db);
  return r.rows;
}

/** A stretch of road that no counting camera sees. */
export type BlindSpot = {
  road_id: number;
  road_name: string | null;
  class: RoadClass;
  from_m: number;
  to_m: number;
  length_m: number;
  grid_codes: string[];
  community_codes: string[];
  geometry: Geometry;
};

/**
 * Stretches of the roads of some grids longer than `minLengthM` that no camera of the scenario sees, each with
 * the grids and communities it runs through. Sorted by road class (arterial first) then length, or by length.
 */
export async function blindSpots(
  db: Db,
  gridIds: readonly number[],
  opts: { scenario: Scenario; minLengthM: number; sort: "class" | "length" },
): Promise<BlindSpot[]> {
  if (!gridIds.length) return [];
  const order =
    opts.sort === "class"
      ? sql`array_position(array['arterial', 'secondary', 'local'], r.class), length_m desc, road_id, from_m`
      : sql`length_m desc, road_id, from_m`;
  const r = await sql<BlindSpot>`
    with ar as (
      select cgr.road_id, range_agg(cgr.along) as along
      from coverage_grid_road cgr where cgr.grid_id = any(${[...gridIds]}::int[])
      group by cgr.road_id
    ),
    seen as (
      select v.road_id, range_agg(v.seen) as seen
      from camera_view_road v join camera k on k.id = v.camera_id
      where v.road_id in (select road_id from ar) and ${counts(opts.scenario, sql`k.status`)}
      group by v.road_id
    ),
    gap as (
      select ar.road_id, unnest(ar.along - coalesce(s.seen, '{}'::float8multirange)) as stretch
      from ar left join seen s on s.road_id = ar.road_id
    )
    select gap.road_id, r.name as road_name, r.class, lower(gap.stretch) as from_m, upper(gap.stretch) as to_m,
      upper(gap.stretch) - lower(gap.stretch) as length_m,
      ST_AsGeoJSON(ST_Transform(ST_LineSubstring(m.road_m, least(1, lower(gap.stretch) / m.len),
        least(1, upper(gap.stretch) / m.len)), 4326), 7)::json as geometry,
      g.grid_codes, g.community_codes
    from gap
    join road r on r.id = gap.road_id
    join subdistrict s on s.code = r.subdistrict_code
    cross join lateral (select ST_Transform(r.geom, s.metric_srid) as road_m) t
    cross join lateral (select t.road_m, ST_Length(t.road_m) as len) m
    cross join lateral (
      select array_agg(distinct pg.code order by pg.code) as grid_codes,
        array_agg(distinct pg.community_code order by pg.community_code) as community_codes
      from coverage_grid_road c join grid pg on pg.id = c.grid_id
      where c.road_id = gap.road_id and c.grid_id = any(${[...gridIds]}::int[])
        and multirange_length(c.along * multirange(gap.stretch)) > 0.01
    ) g
    where upper(gap.stretch) - lower(gap.stretch) >= ${opts.minLengthM}
    order by ${order}`.execute(db);
  return r.rows.map((b) => ({ ...b, from_m: round(b.from_m), to_m: round(b.to_m), length_m: round(b.length_m) }));
}

/** The metric CRS of a community's subdistrict and the community's box [x0, y0, x1, y1] in it. */
export async function communityFrame(
  db: Db,
  community: string,
): Promise<{ srid: number; box: [number, number, number, number] } | null> {
  const r = await sql<{ srid: number; x0: number; y0: number; x1: number; y1: number }>`
    select s.metric_srid as srid, ST_XMin(b) as x0, ST_YMin(b) as y0, ST_XMax(b) as x1, ST_YMax(b) as y1
    from community c join subdistrict s on s.code = c.subdistrict_code
    cross join lateral (select ST_Transform(c.geom, s.metric_srid)::box2d as b) t
    where c.code = ${community}`.execute(db);
  const f = r.rows[0];
  return f ? { srid: f.srid, box: [f.x0, f.y0, f.x1, f.y1] } : null;
}

/** Each road of some grids with its stretches in them and the parts of those no camera of the scenario sees. */
export async function roadGaps(db: Db, gridIds: readonly number[], scenario: Scenario) {
  const r = await sql<{ road_id: number; class: RoadClass; along: string; gaps: string }>`
    with ar as (
      select cgr.road_id, range_agg(cgr.along) as along
      from coverage_grid_road cgr where cgr.grid_id = any(${[...gridIds]}::int[])
      group by cgr.road_id
    ),
    seen as (
      select v.road_id, range_agg(v.seen) as seen
      from camera_view_road v join camera k on k.id = v.camera_id
      where v.road_id in (select road_id from ar) and ${counts(scenario, sql`k.status`)}
      group by v.road_id
    )
    select ar.road_id, r.class, ar.along::text as along,
      (ar.along - coalesce(s.seen, '{}'::float8multirange))::text as gaps
    from ar join road r on r.id = ar.road_id left join seen s on s.road_id = ar.road_id
    order by ar.road_id`.execute(db);
  return r.rows;
}

/** The key places of some grids in a metric CRS, and whether a camera of the scenario sees each. */
export async function keyPlacesOf(
  db: Db,
  gridIds: readonly number[],
  srid: number,
  scenario: Scenario,
  categories: readonly string[] = DEFAULT_KEY_CATEGORIES,
) {
  const r = await sql<{ key: string; kind: KeyPlaceKind; x: number; y: number; seen: boolean }>`
    select p.key, p.kind, ST_X(p.geom_m) as x, ST_Y(p.geom_m) as y, ${sql.ref(`p.${scenario}`)} as seen
    from ${keyPlaces(gridIds, categories, sql`${srid}::int`)} p
    where exists (select 1 from coverage_grid cg
      where cg.grid_id = any(${[...gridIds]}::int[]) and ST_DWithin(cg.geom_m, p.geom_m, ${GRID_TOLERANCE_M}))
    order by p.key`.execute(db);
  return r.rows;
}

/** Metric rings and points as GeoJSON in EPSG:4326, in the order given. */
export async function toLngLat(db: Db, srid: number, geometries: readonly Geometry[]): Promise<Geometry[]> {
  if (!geometries.length) return [];
  const r = await sql<{ g: Geometry }>`
    select ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(u.g), ${srid}::int), 4326), 7)::json as g
    from unnest(${geometries.map((g) => JSON.stringify(g))}::text[]) with ordinality as u(g, n) order by u.n`.execute(
    db,
  );
  return r.rows.map((x) => x.g);
}

/**
 * The coverage of some grids today and with the planned cameras: what a camera change returns for the grids it
 * affects. Expects fresh views in the same transaction.
 */
export async function coverageOfGrids(db: Db, grids: readonly GridRef[]) {
  if (!grids.length) return [];
  await prepareCoverage(
    db,
    grids.map((g) => g.id),
  );
  const figures = await areaFigures(
    db,
    grids.map((g) => ({ key: String(g.id), grids: [g.id] })),
  );
  return grids.map((g) => {
    const f = figures.get(String(g.id))!;
    return { code: g.code, name: g.name, community_code: g.community_code, current: f.current, planned: f.planned };
  });
}

/**
 * Points (metric) moved just inside a community where they lie on or outside its edge — a site on the centre
 * line of a boundary road goes to the community's side of the street — so that a camera placed there stands on
 * one of its parcels.
 */
export async function insideCommunity(
  db: Db,
  community: string,
  srid: number,
  points: readonly (readonly [number, number])[],
): Promise<[number, number][]> {
  if (!points.length) return [];
  const r = await sql<{ x: number; y: number }>`
    with c as materialized (
      select ST_Transform(geom, ${srid}::int) as m, ST_Buffer(ST_Transform(geom, ${srid}::int), -1) as inner
      from community where code = ${community}
    )
    select ST_X(q) as x, ST_Y(q) as y
    from unnest(${points.map((p) => p[0])}::float8[], ${points.map((p) => p[1])}::float8[]) with ordinality as u(x, y, n)
    cross join c
    cross join lateral (select ST_SetSRID(ST_MakePoint(u.x, u.y), ${srid}::int) as p) pt
    cross join lateral (
      select case when ST_DWithin(pt.p, c.inner, 0) then pt.p else ST_ClosestPoint(c.inner, pt.p) end as q
    ) s
    order by u.n`.execute(db);
  return r.rows.map((p) => [p.x, p.y]);
}
