import { type Principal, scopeCondition } from "../../auth/principal.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson, placeCondition } from "../../db/postgis.ts";
import type { PlaceFilter } from "../../http/schemas.ts";

/** Cameras are sensitive: secretaries see those of their own community; workers see none (the route refuses). */
export function listCameras(db: Db, p: Principal, f: PlaceFilter) {
  return db
    .selectFrom("camera as k")
    .leftJoin("published_parcel as pp", "pp.parcel_id", "k.parcel_id")
    .select([
      "k.id",
      "k.name",
      "k.type",
      "k.status",
      "k.bearing_deg",
      "k.view_width_deg",
      "k.range_m",
      "k.mount_height_m",
      "k.defaulted",
      "k.site",
      "k.community_code",
      "pp.grid_code",
      asGeoJson("k.geom").as("geometry"),
    ])
    .where(placeCondition(f, { geom: "k.geom", parcelId: "k.parcel_id", community: "k.community_code" }))
    .where(scopeCondition({ ...p, workerGrids: [], workerCommunities: [] }, { community: "k.community_code" }))
    .orderBy("k.id")
    .execute();
}
