import { createTestDatabase, type TestDatabase } from "@gridatlas/server/test-support/test-database.ts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The territory builder on shapes the demo never makes, as the OpenStreetMap importer will meet them: a
 * C-shaped community whose far arm lies nearer to one building across the gap than to the building it has to
 * go with, footprints cut at an angle, and a rebuild after a building is added to a planned area.
 */

const CODE = "999999001";
const COMMUNITY = "999999001001";

let database: TestDatabase;
let sql: pg.Client;

const one = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
  (await sql.query<T>(text, values)).rows[0]!;

/** A polygon given in metres east and north of a point near Tongliao (turned `deg` degrees), in EPSG:4326. */
const local = (wkt: string, deg = 0) =>
  `ST_Transform(ST_Translate(ST_Rotate(ST_GeomFromText('${wkt}', 4550), radians(${deg})),
     ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(122.25, 43.6), 4326), 4550)),
     ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(122.25, 43.6), 4326), 4550))), 4326)`;
const rect = (x0: number, y0: number, x1: number, y1: number) =>
  local(`POLYGON((${x0} ${y0},${x1} ${y0},${x1} ${y1},${x0} ${y1},${x0} ${y0}))`);

/** Adds a building with `entrances` entrances, each door at the point on surface of its section. */
async function addBuilding(footprint: string, entrances: number, households: number): Promise<number> {
  const b = await one<{ id: number }>(
    `insert into building (community_code, kind, name, floors, geom) values ($1, 'slab', 'test', 6, ${footprint})
     returning id`,
    [COMMUNITY],
  );
  await sql.query(
    `insert into entrance (building_id, seq, households, geom, section)
     select b.id, s.seq, $2, ST_PointOnSurface(s.geom), s.geom
     from building b cross join lateral building_sections(b.geom, $3, 4550) s where b.id = $1`,
    [b.id, households, entrances],
  );
  return b.id;
}

beforeAll(async () => {
  database = await createTestDatabase("builder");
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  const c = local("POLYGON((0 0,200 0,200 60,60 60,60 140,200 140,200 200,0 200,0 0))");
  await sql.query(`insert into subdistrict (code, name, geom) values ($1, 'test', ST_Multi(${c}))`, [CODE]);
  await sql.query(`insert into community (code, subdistrict_code, name, geom) values ($1, $2, 'C', ST_Multi(${c}))`, [
    COMMUNITY,
    CODE,
  ]);
  await addBuilding(rect(150, 150, 190, 165), 2, 12);
  await addBuilding(rect(10, 85, 40, 115), 1, 12);
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

describe("building_sections", () => {
  it("cuts a slab at an angle into equal sections along its long axis, numbered from the west", async () => {
    const rows = (
      await sql.query<{ seq: number; area: number; x: number; kind: string }>(
        `select s.seq, ST_Area(ST_Transform(s.geom, 4550)) area, ST_X(ST_Centroid(s.geom)) x, GeometryType(s.geom) kind
         from building_sections(${local("POLYGON((0 0,65 0,65 12,0 12,0 0))", 30)}, 5, 4550) s
         order by s.seq`,
      )
    ).rows;
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    for (const r of rows) {
      expect(r.kind).toBe("POLYGON");
      expect(Math.abs(r.area - (65 * 12) / 5)).toBeLessThan(0.01);
    }
    for (let k = 1; k < rows.length; k++) expect(rows[k]!.x).toBeGreaterThan(rows[k - 1]!.x);
  });
});

describe("build_territory on a C-shaped community", () => {
  it("merges the piece of a Voronoi cell cut off across the gap into the parcel it touches", async () => {
    const s = (await one<{ s: Record<string, number> }>("select build_territory($1) s", [CODE])).s;
    expect(s.blocks).toBe(1);
    expect(s.parcels).toBe(3);
    expect(s.pieces_merged).toBeGreaterThan(0);
    const r = await one<{ parts: number; err: number; own: number; overlapping: number }>(
      `select max(ST_NumGeometries(p.geom))::int parts,
         abs(sum(ST_Area(ST_Transform(p.geom, 4550))) / (select ST_Area(ST_Transform(geom, 4550)) from community where code = $1) - 1) err,
         (select count(*)::int from entrance e join parcel q on q.entrance_id = e.id and ST_Intersects(q.geom, e.geom)
            and ST_Area(ST_Transform(ST_Difference(e.section, q.geom), 4550)) < 0.01
          where q.community_code = $1) own,
         (select count(*)::int from parcel a join parcel b on a.id < b.id and ST_Relate(a.geom, b.geom, '2********')
            where a.community_code = $1) overlapping
       from parcel p where p.community_code = $1`,
      [COMMUNITY],
    );
    expect(r).toMatchObject({ parts: 1, own: 3, overlapping: 0 });
    expect(r.err).toBeLessThan(1e-6);
  });

  it("carries a plan over to a rebuild after a building is added, and keeps it contiguous", async () => {
    const plan = await one<{ id: number }>(
      "insert into plan (subdistrict_code, name, status) values ($1, 'p', 'draft') returning id",
      [CODE],
    );
    const grids = await sql.query<{ id: number; code: string }>(
      `insert into grid (plan_id, code, community_code, name)
       values ($1, $2 || '001', $2, 'g1'), ($1, $2 || '002', $2, 'g2') returning id, code`,
      [plan.id, COMMUNITY],
    );
    const [g1, g2] = grids.rows;
    await sql.query(
      `insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
       select $1, p.id, case when b.geom is not null and ST_Y(ST_Centroid(b.geom)) > 43.60117 then $2::int else $3::int end, p.community_code
       from parcel p left join building b on b.id = p.building_id where p.community_code = $4`,
      [plan.id, g1!.id, g2!.id, COMMUNITY],
    );
    const before = await one<{ top: number; back: number }>(
      `select count(*) filter (where pp.grid_id = $2)::int top, count(*) filter (where pp.grid_id = $3)::int back
       from plan_parcel pp where pp.plan_id = $1`,
      [plan.id, g1!.id, g2!.id],
    );
    expect(before).toEqual({ top: 2, back: 1 });

    await addBuilding(rect(100, 10, 140, 25), 2, 24);
    const s = (await one<{ s: Record<string, number> }>("select build_territory($1) s", [CODE])).s;
    expect(s.parcels).toBe(5);
    expect(s.parcels_unassigned).toBe(0);
    const after = await one<{ assigned: number; top: number; grids_whole: number }>(
      `select count(*)::int assigned, count(*) filter (where pp.grid_id = $2)::int top,
         (select count(*)::int from grid g where g.plan_id = $1 and ST_NumGeometries(g.geom) = 1) grids_whole
       from plan_parcel pp where pp.plan_id = $1`,
      [plan.id, g1!.id],
    );
    expect(after).toEqual({ assigned: 5, top: 2, grids_whole: 2 });
  });
});
