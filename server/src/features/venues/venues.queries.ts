import { type Principal, scopeCondition } from "../../auth/principal.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson, placeCondition } from "../../db/postgis.ts";
import type { PlaceFilter } from "../../http/schemas.ts";

export function listVenues(db: Db, p: Principal, f: PlaceFilter) {
  return db
    .selectFrom("venue as v")
    .innerJoin("venue_category as vc", "vc.code", "v.category")
    .leftJoin("published_parcel as pp", "pp.parcel_id", "v.parcel_id")
    .select([
      "v.id",
      "v.name",
      "v.category",
      "vc.name_zh as category_name_zh",
      "vc.name_en as category_name_en",
      "v.address",
      "v.community_code",
      "pp.grid_code",
      asGeoJson("v.geom").as("geometry"),
    ])
    .where(placeCondition(f, { geom: "v.geom", parcelId: "v.parcel_id", community: "v.community_code" }))
    .where(scopeCondition(p, { community: "v.community_code", parcelId: "v.parcel_id" }))
    .orderBy("v.id")
    .execute();
}
