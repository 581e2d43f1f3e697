import type { LineString, MultiPolygon, Polygon, Position } from "geojson";
import { sql } from "kysely";
import type { Db } from "../../db/db.ts";
import {
  type Box,
  boxOf,
  type Interval,
  type MeasuredLine,
  measureLine,
  stretchesInside,
  visibilityPolygon,
  type Wall,
  type XY,
} from "./coverage.geometry.ts";

export const CAMERA_TYPES = ["dome", "half_dome", "fixed", "ptz"] as const;
export type CameraType = (typeof CAMERA_TYPES)[number];

/**
 * What a camera of each type (GB/T 28181: 球机, 半球, 固定枪机, 遥控枪机) sees when nothing was surveyed; a value
 * taken from here is listed in the camera's `defaulted`. The same figures as the demo generator's.
 */
export const CAMERA_TYPE_DEFAULTS: Record<
  CameraType,
  { bearing_deg: number; view_width_deg: number; range_m: number; mount_height_m: number }
> = {
  dome: { bearing_deg: 0, view_width_deg: 360, range_m: 80, mount_height_m: 6 },
  half_dome: { bearing_deg: 0, view_width_deg: 110, range_m: 25, mount_height_m: 3 },
  fixed: { bearing_deg: 0, view_width_deg: 60, range_m: 60, mount_height_m: 5 },
  ptz: { bearing_deg: 0, view_width_deg: 360, range_m: 150, mount_height_m: 8 },
};

/** Dome and PTZ cameras count all round: a PTZ camera is counted over its full sweep. */
export const FULL_SWEEP_TYPES: ReadonlySet<string> = new Set(["dome", "ptz"]);

/** A camera as a view is built from it, in metres in its subdistrict's metric CRS. */
export type ViewCamera = {
  id: number;
  type: string;
  x: number;
  y: number;
  bearing_deg: number;
  view_width_deg: number;
  range_m: number;
};

/** A road in the metric CRS with distances along it. */
export type MetricRoad = { id: number; class: string; line: MeasuredLine };

/** A view and the stretches of road it covers. */
export type BuiltView = { ring: XY[]; area_m2: number; roads: { road_id: number; seen: Interval[] }[] };

/**
 * Footprint walls and roads of one part of a subdistrict, in its metric CRS, with a bucket index so that a view
 * only looks at walls within its range.
 */
export class Surroundings {
  private readonly cells = new Map<string, Wall[][]>();

  constructor(
    readonly srid: number,
    buildings: readonly (readonly XY[][])[],
    readonly roads: readonly MetricRoad[],
    private readonly cellM = 50,
  ) {
    for (const rings of buildings) {
      const walls: Wall[] = [];
      for (const ring of rings) {
        for (let i = 0; i + 1 < ring.length; i++) {
          walls.push([ring[i]![0], ring[i]![1], ring[i + 1]![0], ring[i + 1]![1]]);
        }
      }
      const [x0, y0, x1, y1] = boxOf(rings[0] ?? []);
      for (let cx = Math.floor(x0 / cellM); cx <= Math.floor(x1 / cellM); cx++) {
        for (let cy = Math.floor(y0 / cellM); cy <= Math.floor(y1 / cellM); cy++) {
          const key = `${cx},${cy}`;
          const list = this.cells.get(key);
          if (list) list.push(walls);
          else this.cells.set(key, [walls]);
        }
      }
    }
  }

  /** Walls of the footprints whose boxes meet the square of half-side `r` around (x, y), each footprint once. */
  wallsNear(x: number, y: number, r: number): Wall[] {
    const seen = new Set<Wall[]>();
    const out: Wall[] = [];
    const c = this.cellM;
    for (let cx = Math.floor((x - r) / c); cx <= Math.floor((x + r) / c); cx++) {
      for (let cy = Math.floor((y - r) / c); cy <= Math.floor((y + r) / c); cy++) {
        for (const walls of this.cells.get(`${cx},${cy}`) ?? []) {
          if (seen.has(walls)) continue;
          seen.add(walls);
          out.push(...walls);
        }
      }
    }
    return out;
  }

  /** The view of a camera and the stretches of each road inside it. */
  view(c: ViewCamera): BuiltView {
    const widthDeg = FULL_SWEEP_TYPES.has(c.type) ? 360 : c.view_width_deg;
    const ring = visibilityPolygon(
      { x: c.x, y: c.y, bearingDeg: c.bearing_deg, widthDeg, rangeM: c.range_m },
      this.wallsNear(c.x, c.y, c.range_m),
    );
    const box: Box = boxOf(ring);
    const roads: BuiltView["roads"] = [];
    for (const road of this.roads) {
      const seen = stretchesInside(road.line, ring, box);
      if (seen.length) roads.push({ road_id: road.id, seen });
    }
    return { ring, area_m2: ringArea(ring), roads };
  }
}

function ringArea(ring: readonly XY[]): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return Math.abs(s) / 2;
}

/** GeoJSON positions read from PostGIS are [x, y] pairs. */
const xy = (ps: Position[]): XY[] => ps as unknown as XY[];

const rings = (g: Polygon | MultiPolygon): XY[][] =>
  g.type === "Polygon" ? g.coordinates.map(xy) : g.coordinates.flat().map(xy);

/** Postgres multirange text for stretches, e.g. {[0,12.5],[40,61]}. */
export const multirangeText = (xs: readonly Interval[]) => `{${xs.map(([a, b]) => `[${a},${b}]`).join(",")}}`;

/** Stretches from a float8multirange's text. */
export function parseMultirange(text: string | null): Interval[] {
  if (!text) return [];
  return [...text.matchAll(/[[(]([^,\])]+),([^\])]+)[\])]/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
}

/**
 * Footprints and roads around some points of one subdistrict, read in its metric CRS. `points` are metric
 * [x, y, radius] triples; the roads come whole, so distances along them match the stored stretches.
 */
export async function loadSurroundings(db: Db, srid: number, points: readonly (readonly [number, number, number])[]) {
  if (!points.length) return new Surroundings(srid, [], []);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const rs = points.map((p) => p[2]);
  const zones = sql`(select ST_Transform(ST_Expand(ST_SetSRID(ST_MakePoint(u.x, u.y), ${srid}::int), u.r + 1), 4326) as box
      from unnest(${xs}::float8[], ${ys}::float8[], ${rs}::float8[]) as u(x, y, r))`;
  const [buildings, roads] = await Promise.all([
    sql<{ g: Polygon | MultiPolygon }>`select ST_AsGeoJSON(ST_Transform(b.geom, ${srid}::int), 4)::json as g
      from building b where b.id in (select x.id from ${zones} z join building x on x.geom && z.box)`.execute(db),
    sql<{ id: number; class: string; g: LineString }>`select r.id, r.class,
        ST_AsGeoJSON(ST_Transform(r.geom, ${srid}::int), 6)::json as g
      from road r where r.id in (select x.id from ${zones} z join road x on x.geom && z.box) order by r.id`.execute(db),
  ]);
  return new Surroundings(
    srid,
    buildings.rows.map((b) => rings(b.g)),
    roads.rows.map((r) => ({ id: r.id, class: r.class, line: measureLine(xy(r.g.coordinates)) })),
  );
}

/**
 * The metric CRS of the subdistrict a camera stands in, and the point its view is seen from: the camera's own,
 * or — for a camera inside a footprint, mounted on a shop front — the front of that building towards its nearest
 * road, just outside the wall.
 */
const viewOrigin = sql`
  left join community c on c.code = k.community_code
  cross join lateral (
    select s.metric_srid as srid from subdistrict s
    where s.code = c.subdistrict_code or (c.code is null and ST_Intersects(s.geom, k.geom))
    limit 1
  ) s
  left join lateral (select b.geom from building b where ST_Intersects(b.geom, k.geom) limit 1) b on true
  left join lateral (select r.geom from road r where b.geom is not null order by r.geom <-> k.geom limit 1) r on true
  cross join lateral (
    select case when b.geom is null then ST_Transform(k.geom, s.srid)
      else building_front(ST_Transform(b.geom, s.srid), ST_Transform(r.geom, s.srid), 0.3) end as p
  ) o`;

/**
 * Builds and stores the views of every camera that has none: new cameras, cameras whose position or view
 * changed, cameras near a changed building or road (the triggers of the camera_view migration delete those).
 * Run it in the transaction that changed a camera, before reading coverage. Returns the ids it built.
 */
export async function refreshViews(db: Db): Promise<number[]> {
  const stale = await sql<ViewCamera & { srid: number }>`
    select k.id, k.type, k.bearing_deg, k.view_width_deg, k.range_m, s.srid, ST_X(o.p) as x, ST_Y(o.p) as y
    from camera k ${viewOrigin}
    where not exists (select 1 from camera_view v where v.camera_id = k.id)
    order by k.id`.execute(db);
  const bySrid = new Map<number, (ViewCamera & { srid: number })[]>();
  for (const c of stale.rows) {
    const list = bySrid.get(c.srid);
    if (list) list.push(c);
    else bySrid.set(c.srid, [c]);
  }
  for (const [srid, cameras] of bySrid) {
    const around = await loadSurroundings(
      db,
      srid,
      cameras.map((c) => [c.x, c.y, c.range_m]),
    );
    await storeViews(
      db,
      srid,
      cameras.map((c) => ({ camera: c, view: around.view(c) })),
    );
  }
  return stale.rows.map((c) => c.id);
}

async function storeViews(db: Db, srid: number, built: { camera: ViewCamera; view: BuiltView }[]): Promise<void> {
  if (!built.length) return;
  const ids = built.map((b) => b.camera.id);
  await sql`
    insert into camera_view (camera_id, origin, reach, geom, area_m2)
    select u.id, ST_Transform(o.p, 4326), ST_Transform(ST_Buffer(o.p, u.r, 8), 4326),
      ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(u.g), ${srid}::int), 4326), u.a
    from unnest(${ids}::int[], ${built.map((b) => b.camera.x)}::float8[], ${built.map((b) => b.camera.y)}::float8[],
      ${built.map((b) => b.camera.range_m)}::float8[],
      ${built.map((b) => JSON.stringify({ type: "Polygon", coordinates: [b.view.ring] }))}::text[],
      ${built.map((b) => b.view.area_m2)}::float8[]) as u(id, x, y, r, g, a)
    cross join lateral (select ST_SetSRID(ST_MakePoint(u.x, u.y), ${srid}::int) as p) o
    on conflict (camera_id) do update set origin = excluded.origin, reach = excluded.reach, geom = excluded.geom,
      area_m2 = excluded.area_m2, computed_at = now()`.execute(db);
  await sql`delete from camera_view_road where camera_id = any(${ids}::int[])`.execute(db);
  const rows = built.flatMap((b) => b.view.roads.map((r) => ({ camera: b.camera.id, road: r.road_id, seen: r.seen })));
  if (!rows.length) return;
  await sql`
    insert into camera_view_road (camera_id, road_id, seen)
    select u.c, u.r, u.s::float8multirange
    from unnest(${rows.map((r) => r.camera)}::int[], ${rows.map((r) => r.road)}::int[],
      ${rows.map((r) => multirangeText(r.seen))}::text[]) as u(c, r, s)`.execute(db);
}
