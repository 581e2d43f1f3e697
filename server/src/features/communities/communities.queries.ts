import { sql } from "kysely";
import { type Principal, scopeCondition } from "../../auth/principal.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson } from "../../db/postgis.ts";

/** Every community with its band and the totals of the published plan. */
export function listCommunities(db: Db, p: Principal) {
  return db
    .selectFrom("community as c")
    .select([
      "c.code",
      "c.name",
      "c.name_en",
      "c.band_min",
      "c.band_max",
      sql<number>`(select count(*) from published_grid g where g.community_code = c.code)::int`.as("grids"),
      sql<number>`(select coalesce(sum(e.households), 0) from entrance e join building b on b.id = e.building_id
                   where b.community_code = c.code)::int`.as("households"),
      asGeoJson("c.geom", 6).as("geometry"),
    ])
    .where(scopeCondition(p, { community: "c.code" }))
    .orderBy("c.code")
    .execute();
}
