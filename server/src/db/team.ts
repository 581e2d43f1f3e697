import { sql } from "kysely";
import type { Db } from "./db.ts";
import type { Worker } from "./schema.ts";

/**
 * The team of a grid, on the pattern "community secretary + community cadre + grid worker": the workers assigned
 * to it and the secretary of its community, still serving, the secretary first, then by role and name. `columns`
 * are what the reader may see of them (a hazard card shows names and roles only).
 */
export function gridTeam<C extends `w.${keyof Worker & string}`>(
  db: Db,
  grid: { code: string; community_code: string },
  columns: readonly C[],
) {
  return db
    .selectFrom("worker as w")
    .select(columns)
    .where("w.retired_on", "is", null)
    .where((eb) =>
      eb.or([
        eb("w.id", "in", eb.selectFrom("worker_assignment").select("worker_id").where("grid_code", "=", grid.code)),
        eb.and([eb("w.role", "=", "secretary"), eb("w.community_code", "=", grid.community_code)]),
      ]),
    )
    .orderBy(sql`array_position(array['secretary','grid_leader','grid_worker','info_worker'], w.role)`)
    .orderBy("w.name")
    .orderBy("w.id")
    .execute();
}
