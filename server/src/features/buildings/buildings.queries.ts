import { sql } from "kysely";
import { type Principal, scopeCondition } from "../../auth/principal.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson, envelope, type PlaceFilter } from "../../db/postgis.ts";

/** Buildings with their households and entrances; a grid filter keeps buildings with any parcel in that grid. */
export function listBuildings(db: Db, p: Principal, f: PlaceFilter) {
  let q = db
    .selectFrom("building as b")
    .leftJoin("compound as k", "k.id", "b.compound_id")
    .select([
      "b.id",
      "b.name",
      "b.kind",
      "b.floors",
      "b.community_code",
      "b.compound_id",
      "k.name as compound_name",
      sql<number>`(select coalesce(sum(households), 0) from entrance e where e.building_id = b.id)::int`.as(
        "households",
      ),
      sql<number>`(select count(*) from entrance e where e.building_id = b.id)::int`.as("entrances"),
      asGeoJson("b.geom").as("geometry"),
    ])
    .where(scopeCondition(p, { community: "b.community_code", buildingId: "b.id" }))
    .orderBy("b.id");
  if (f.bbox) q = q.where(sql<boolean>`b.geom && ${envelope(f.bbox)}`);
  if (f.community) q = q.where("b.community_code", "=", f.community);
  if (f.grid) {
    q = q.where("b.id", "in", (eb) =>
      eb
        .selectFrom("parcel as p")
        .innerJoin("published_parcel as pp", "pp.parcel_id", "p.id")
        .select("p.building_id")
        .where("pp.grid_code", "=", f.grid ?? "")
        .where("p.building_id", "is not", null)
        .$narrowType<{ building_id: number }>(),
    );
  }
  return q.execute();
}
