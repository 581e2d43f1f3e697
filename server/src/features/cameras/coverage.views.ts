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
          for (const w of walls) out.push(w);
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

/**
 * The coordinate sequences of a WKB geometry: the rings of a polygon or multipolygon, the line of a linestring.
 * WKB rather than GeoJSON because thousands of footprints and views cross between PostGIS and the server here.
 */
function wkbParts(wkb: Uint8Array): XY[][] {
  const view = new DataView(wkb.buffer, wkb.byteOffset, wkb.byteLength);
  let at = 0;
  const out: XY[][] = [];
  const points = (le: boolean) => {
    const n = view.getUint32(at, le);
    at += 4;
    const pts: XY[] = new Array(n);
    for (let i = 0; i < n; i++, at += 16) pts[i] = [view.getFloat64(at, le), view.getFloat64(at + 8, le)];
    return pts;
  };
  const geometry = () => {
    const le = view.getUint8(at) === 1;
    const type = view.getUint32(at + 1, le) % 1000;
    at += 5;
    if (type === 2) out.push(points(le));
    else if (type === 3) {
      const rings = view.getUint32(at, le);
      at += 4;
      for (let r = 0; r < rings; r++) out.push(points(le));
    } else if (type === 5 || type === 6) {
      const parts = view.getUint32(at, le);
      at += 4;
      for (let p = 0; p < parts; p++) geometry();
    } else throw new Error(`unexpected WKB geometry type ${type}`);
  };
  geometry();
  return out;
}

/**
 * A polygon of one ring as little-endian WKB; an empty polygon when the ring has collapsed (a camera right against
 * a wall sees nothing), so that one degenerate view cannot fail a batch.
 */
function polygonWkb(ring: readonly XY[]): Buffer {
  if (ring.length < 4) return Buffer.from([1, 3, 0, 0, 0, 0, 0, 0, 0]);
  const buf = Buffer.allocUnsafe(13 + ring.length * 16);
  const out = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  out.setUint8(0, 1);
  out.setUint32(1, 3, true);
  out.setUint32(5, 1, true);
  out.setUint32(9, ring.length, true);
  let at = 13;
  for (const [x, y] of ring) {
    out.setFloat64(at, x, true);
    out.setFloat64(at + 8, y, true);
    at += 16;
  }
  return buf;
}

/** Postgres multirange text for stretches, e.g. {[0,12.5],[40,61]}. */
const multirangeText = (xs: readonly Interval[]) => `{${xs.map(([a, b]) => `[${a},${b}]`).join(",")}}`;

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
  const r = await sql<{ kind: "b" | "r"; id: number; class: string | null; wkb: Uint8Array }>`
    with zone as materialized (
      select ST_Transform(ST_Expand(ST_SetSRID(ST_MakePoint(u.x, u.y), ${srid}::int), u.r + 1), 4326) as box
      from unnest(${points.map((p) => p[0])}::float8[], ${points.map((p) => p[1])}::float8[],
        ${points.map((p) => p[2])}::float8[]) as u(x, y, r)
    )
    select 'b' as kind, b.id, null as class, ST_AsBinary(ST_Transform(b.geom, ${srid}::int)) as wkb
    from building b where b.id in (select x.id from zone z join building x on x.geom && z.box)
    union all
    select 'r', r.id, r.class, ST_AsBinary(ST_Transform(r.geom, ${srid}::int))
    from road r where r.id in (select x.id from zone z join road x on x.geom && z.box)
    order by 1, 2`.execute(db);
  const buildings: XY[][][] = [];
  const roads: MetricRoad[] = [];
  for (const row of r.rows) {
    const parts = wkbParts(row.wkb);
    if (row.kind === "b") buildings.push(parts);
    else roads.push({ id: row.id, class: row.class ?? "local", line: measureLine(parts[0] ?? []) });
  }
  return new Surroundings(srid, buildings, roads);
}

/**
 * Builds and stores the views of the cameras listed as pending — new cameras, cameras whose position or view
 * changed, cameras near a changed building or road (the camera_view_pending triggers list them) — and takes them
 * off the list. Run it in the transaction that changed a camera, before reading coverage: what it reads then is
 * up to date. A camera outside every community gets no view. Returns the ids it built.
 *
 * The point a view is seen from is the camera's own, or — for a camera inside a footprint, mounted on a shop
 * front — the front of that building towards its nearest road, just outside the wall.
 */
export async function refreshViews(db: Db): Promise<number[]> {
  const stale = await sql<ViewCamera & { srid: number }>`
    with pending as (delete from camera_view_pending returning camera_id)
    select k.id, k.type, k.bearing_deg, k.view_width_deg, k.range_m, s.metric_srid as srid,
      ST_X(o.p) as x, ST_Y(o.p) as y
    from pending
    join camera k on k.id = pending.camera_id
    join community c on c.code = k.community_code
    join subdistrict s on s.code = c.subdistrict_code
    left join lateral (select b.geom from building b where ST_Intersects(b.geom, k.geom) limit 1) b on true
    left join lateral (select r.geom from road r where b.geom is not null order by r.geom <-> k.geom limit 1) r on true
    cross join lateral (
      select case when b.geom is null then ST_Transform(k.geom, s.metric_srid)
        else building_front(ST_Transform(b.geom, s.metric_srid), ST_Transform(r.geom, s.metric_srid), 0.3) end as p
    ) o
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

/**
 * Replaces the stored views and road stretches of some cameras, in one statement: road stretches are upserted and
 * the ones no longer seen deleted, so that the statement's parts never touch the same row.
 */
async function storeViews(db: Db, srid: number, built: { camera: ViewCamera; view: BuiltView }[]): Promise<void> {
  if (!built.length) return;
  const ids = built.map((b) => b.camera.id);
  const roads = built.flatMap((b) => b.view.roads.map((r) => ({ camera: b.camera.id, road: r.road_id, seen: r.seen })));
  await sql`
    with saved as (
      insert into camera_view (camera_id, origin, geom, area_m2)
      select u.id, ST_Transform(ST_SetSRID(ST_MakePoint(u.x, u.y), ${srid}::int), 4326),
        ST_Transform(ST_GeomFromWKB(u.g, ${srid}::int), 4326), u.a
      from unnest(${ids}::int[], ${built.map((b) => b.camera.x)}::float8[], ${built.map((b) => b.camera.y)}::float8[],
        ${built.map((b) => polygonWkb(b.view.ring))}::bytea[], ${built.map((b) => b.view.area_m2)}::float8[])
        as u(id, x, y, g, a)
      on conflict (camera_id) do update set origin = excluded.origin, geom = excluded.geom,
        area_m2 = excluded.area_m2, computed_at = now()
      returning camera_id
    ),
    fresh as (
      select * from unnest(${roads.map((r) => r.camera)}::int[], ${roads.map((r) => r.road)}::int[],
        ${roads.map((r) => multirangeText(r.seen))}::text[]) as u(c, r, s)
    ),
    gone as (
      delete from camera_view_road v where v.camera_id = any(${ids}::int[])
        and not exists (select 1 from fresh f where f.c = v.camera_id and f.r = v.road_id)
    )
    insert into camera_view_road (camera_id, road_id, seen)
    select f.c, f.r, f.s::float8multirange from fresh f where f.c in (select camera_id from saved)
    on conflict (camera_id, road_id) do update set seen = excluded.seen`.execute(db);
}
