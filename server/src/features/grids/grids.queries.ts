import { sql } from "kysely";
import { type Principal, scopeCondition } from "../../auth/principal.ts";
import type { BandStatus } from "../../db/band.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson, bboxOf } from "../../db/postgis.ts";

const bandStatus = sql<BandStatus>`f.status`;

/** The grids of the published plan with their figures, optionally of one community. */
export function listPublishedGrids(db: Db, p: Principal, filter: { community?: string | undefined }) {
  let q = db
    .selectFrom("published_grid as g")
    .innerJoin("grid_figure as f", "f.grid_id", "g.id")
    .innerJoin("community as c", "c.code", "g.community_code")
    .select([
      sql<string>`g.code`.as("code"),
      sql<string>`g.name`.as("name"),
      sql<string>`g.community_code`.as("community_code"),
      sql<number>`f.households`.as("households"),
      sql<number>`f.buildings`.as("buildings"),
      sql<number>`f.entrances`.as("entrances"),
      bandStatus.as("status"),
      asGeoJson("g.geom").as("geometry"),
    ])
    .where(scopeCondition(p, { community: "g.community_code", gridCode: "g.code" }))
    .orderBy("g.code");
  if (filter.community) q = q.where("g.community_code", "=", filter.community);
  return q.execute();
}

/** One grid of the published plan with its figures, or undefined. */
export function findPublishedGrid(db: Db, code: string) {
  return db
    .selectFrom("published_grid as g")
    .innerJoin("grid_figure as f", "f.grid_id", "g.id")
    .innerJoin("community as c", "c.code", "g.community_code")
    .select([
      sql<number>`g.id`.as("id"),
      sql<string>`g.code`.as("code"),
      sql<string>`g.name`.as("name"),
      sql<string>`g.community_code`.as("community_code"),
      "c.name as community_name",
      sql<number>`f.households`.as("households"),
      sql<number>`f.buildings`.as("buildings"),
      sql<number>`f.entrances`.as("entrances"),
      sql<number>`f.parcels`.as("parcels"),
      sql<number>`round(f.area_m2)`.as("area_m2"),
      bandStatus.as("status"),
      "c.band_min",
      "c.band_max",
      bboxOf("g.geom").as("bbox"),
    ])
    .where("g.code", "=", code)
    .executeTakeFirst();
}

/** Venues, open hazards and cameras standing on the grid's parcels. */
export async function gridPlaceCounts(db: Db, gridId: number) {
  const r = await sql<{ venues: number; hazards_open: number; cameras: number }>`
    select
      (select count(*) from venue v join plan_parcel pp on pp.parcel_id = v.parcel_id where pp.grid_id = ${gridId})::int as venues,
      (select count(*) from hazard h join plan_parcel pp on pp.parcel_id = h.parcel_id
        where pp.grid_id = ${gridId} and h.status not in ('resolved', 'verified'))::int as hazards_open,
      (select count(*) from camera k join plan_parcel pp on pp.parcel_id = k.parcel_id where pp.grid_id = ${gridId})::int as cameras
  `.execute(db);
  return r.rows[0] ?? { venues: 0, hazards_open: 0, cameras: 0 };
}
