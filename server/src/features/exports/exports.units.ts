import type { UnitPlace } from "@gridatlas/geodata/unit.ts";
import { sql } from "kysely";
import type { Db } from "../../db/db.ts";

/** A parcel as the rebalancer's CLI reads it (`partition --units`): see rebalance.input.ts. */
export type UnitFeature = {
  type: "Feature";
  geometry: { type: "MultiPolygon"; coordinates: number[][][][] };
  properties: UnitPlace & { grid: string | null; locked: boolean };
};

/**
 * The parcels of a subdistrict as a units FeatureCollection, the input format of `cli partition` and of the
 * rebalancer benchmark: households per parcel (its entrance's), building, compound, community, block and the grid
 * of a plan (the published one, else the newest; or the one named). Geometry at 9 decimals, a tenth of a
 * millimetre, so the adjacency the engine computes matches the database's.
 */
export async function exportUnits(
  db: Db,
  subdistrictCode: string,
  planId?: number,
): Promise<{ type: "FeatureCollection"; plan_id: number | null; features: UnitFeature[] }> {
  const plan = await sql<{ id: number }>`
    select id from plan where subdistrict_code = ${subdistrictCode}
      and (${planId ?? null}::int is null or id = ${planId ?? null}::int)
    order by (status = 'published') desc, id desc limit 1`.execute(db);
  const chosen = plan.rows[0]?.id ?? null;
  const rows = await sql<UnitFeature["properties"] & { geometry: UnitFeature["geometry"] }>`
    select p.id::text as id, coalesce(e.households, 0)::int as households, p.building_id::text as building,
      p.compound_id::text as compound, p.community_code as community, p.block_id::text as block,
      g.code as grid, coalesce(g.locked, false) as locked, ST_AsGeoJSON(p.geom, 9)::json as geometry
    from parcel p
    join community c on c.code = p.community_code and c.subdistrict_code = ${subdistrictCode}
    left join entrance e on e.id = p.entrance_id
    left join plan_parcel pp on pp.plan_id = ${chosen}::int and pp.parcel_id = p.id
    left join grid g on g.id = pp.grid_id
    order by p.id`.execute(db);
  return {
    type: "FeatureCollection",
    plan_id: chosen,
    features: rows.rows.map(({ geometry, ...properties }) => ({ type: "Feature", geometry, properties })),
  };
}
