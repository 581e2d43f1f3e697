import { type Principal, scopeCondition } from "../../auth/principal.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson, placeCondition } from "../../db/postgis.ts";
import type { PlaceFilter } from "../../http/schemas.ts";

export function listHazards(db: Db, p: Principal, f: PlaceFilter) {
  return db
    .selectFrom("hazard as h")
    .leftJoin("published_parcel as pp", "pp.parcel_id", "h.parcel_id")
    .select([
      "h.id",
      "h.title",
      "h.category",
      "h.severity",
      "h.status",
      "h.reported_at",
      "h.community_code",
      "pp.grid_code",
      asGeoJson("h.geom").as("geometry"),
    ])
    .where(placeCondition(f, { geom: "h.geom", parcelId: "h.parcel_id", community: "h.community_code" }))
    .where(scopeCondition(p, { community: "h.community_code", parcelId: "h.parcel_id" }))
    .orderBy("h.id")
    .execute();
}
