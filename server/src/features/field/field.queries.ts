import { createHash } from "node:crypto";
import type { Geometry } from "geojson";
import { sql } from "kysely";
import type { Principal } from "../../auth/principal.ts";
import { visitShownAt } from "../../auth/privacy.ts";
import type { Db } from "../../db/db.ts";
import { asGeoJson, type BBox, toFeatureCollection } from "../../db/postgis.ts";
import { DomainError } from "../../errors.ts";

const TZ = "Asia/Shanghai";
/** Resolved and verified hazards stay on the phone this long, so the worker sees what was just fixed. */
const RECENTLY_CLOSED_DAYS = 30;

/** The worker record a field account acts as; an account without one has no field app (403). */
async function fieldWorker(db: Db, p: Principal) {
  const me = await db
    .selectFrom("worker")
    .select(["id as worker_id", "name", "role"])
    .where("id", "in", p.workerIds.length ? [...p.workerIds] : [0])
    .where("role", "in", ["grid_leader", "grid_worker", "info_worker"])
    .orderBy("id")
    .executeTakeFirst();
  if (!me) {
    throw new DomainError(
      "forbidden",
      "not_a_field_worker",
      "只有网格员、网格长和网情员的账号有外勤数据",
      "only the accounts of grid workers, grid leaders and information workers have field data",
    );
  }
  return { ...me, role: me.role as "grid_leader" | "grid_worker" | "info_worker" };
}

/**
 * Everything the field app keeps for offline work, for the grids of the signed-in worker only: every row is reached
 * through the published plan's parcels of those grids, never by community, so another grid's rows cannot appear.
 */
export async function fieldData(db: Db, p: Principal) {
  const me = await fieldWorker(db, p);
  const grids = [...p.workerGrids];
  const codes = sql`${grids}::text[]`;
  // A small place's last visit is the worker's own (or a secretary's account's); a building's is its figure.
  const shown = visitShownAt(p, "v");
  const { today } = await sql<{ today: string }>`select (now() at time zone ${TZ})::date::text as today`
    .execute(db)
    .then((r) => r.rows[0]!);

  const [gridRows, entranceRows, buildingRows, venueRows, hazardRows, hazardCategories, venueCategories] =
    await Promise.all([
      db
        .selectFrom("published_grid as g")
        .innerJoin("community as c", "c.code", "g.community_code")
        .select([
          "g.code",
          "g.name",
          "g.community_code",
          "c.name as community_name",
          asGeoJson("g.geom").as("geometry"),
        ])
        .where(sql<boolean>`g.code = any(${codes})`)
        .orderBy("g.code")
        .execute(),
      sql<{
        id: number;
        building_id: number;
        building_name: string;
        number: number;
        households: number;
        grid_code: string;
        last_visit_on: string | null;
        geometry: Geometry;
      }>`
        select e.id, e.building_id, b.name as building_name, e.seq as number, e.households, pp.grid_code,
          (select max(v.visited_on)::text from visit_record v
            where (v.entrance_id = e.id or v.building_id = e.building_id) and ${shown}) as last_visit_on,
          ST_AsGeoJSON(e.geom, 7)::json as geometry
        from published_parcel pp
        join parcel pa on pa.id = pp.parcel_id
        join entrance e on e.id = pa.entrance_id
        join building b on b.id = e.building_id
        where pp.grid_code = any(${codes})
        order by pp.grid_code, b.name, e.seq, e.id`.execute(db),
      sql<{
        id: number;
        name: string;
        grid_code: string;
        entrances: number;
        households: number;
        last_visit_on: string | null;
        geometry: Geometry;
      }>`
        select b.id, b.name, (array_agg(pp.grid_code order by e.seq))[1] as grid_code,
          count(*)::int as entrances, sum(e.households)::int as households,
          (select max(v.visited_on)::text from visit_record v
            where (v.building_id = b.id or v.entrance_id in (select id from entrance where building_id = b.id))
              and (not small_place(null, b.id) or ${shown})) as last_visit_on,
          ST_AsGeoJSON(ST_PointOnSurface(b.geom), 7)::json as geometry
        from published_parcel pp
        join parcel pa on pa.id = pp.parcel_id
        join entrance e on e.id = pa.entrance_id
        join building b on b.id = e.building_id
        where pp.grid_code = any(${codes})
        group by b.id
        order by b.name, b.id`.execute(db),
      sql<{
        id: number;
        name: string;
        category: string;
        grid_code: string;
        due_on: string | null;
        last_inspected_on: string | null;
        last_result: "ok" | "issues_found" | "closed_down" | null;
        geometry: Geometry;
      }>`
        select v.id, v.name, v.category, pp.grid_code, s.due_on::text as due_on,
          s.last_inspected_on::text as last_inspected_on, s.last_result,
          ST_AsGeoJSON(v.geom, 7)::json as geometry
        from venue v
        join published_parcel pp on pp.parcel_id = v.parcel_id
        join venue_inspection_status s on s.venue_id = v.id
        where pp.grid_code = any(${codes})
        order by s.due_on nulls first, v.id`.execute(db),
      sql<{
        id: number;
        title: string;
        category: string;
        severity: "low" | "medium" | "high";
        status: "reported" | "assigned" | "in_progress" | "resolved" | "verified";
        grid_code: string;
        venue_id: number | null;
        version: number;
        assigned_to_me: boolean;
        reported_on: string;
        geometry: Geometry;
      }>`
        select h.id, h.title, h.category, h.severity, h.status, pp.grid_code, h.venue_id,
          coalesce((select max(t.id) from hazard_transition t where t.hazard_id = h.id), 0) as version,
          h.status in ('assigned', 'in_progress') as assigned_to_me,
          (h.reported_at at time zone ${TZ})::date::text as reported_on,
          ST_AsGeoJSON(h.geom, 7)::json as geometry
        from hazard h
        join published_parcel pp on pp.parcel_id = h.parcel_id
        where pp.grid_code = any(${codes})
          and (h.status in ('reported', 'assigned', 'in_progress')
            or exists (select 1 from hazard_transition t where t.hazard_id = h.id
              and t.at > now() - make_interval(days => ${RECENTLY_CLOSED_DAYS})))
        order by h.reported_at desc, h.id desc`.execute(db),
      db.selectFrom("hazard_category").select(["code", "name_zh", "name_en"]).orderBy("code").execute(),
      db
        .selectFrom("venue_category")
        .select(["code", "name_zh", "name_en", "inspection_interval_days"])
        .orderBy("code")
        .execute(),
    ]);

  const bbox = await sql<{ bbox: BBox | null }>`
    select case when e is not null then array[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] end as bbox
    from (select ST_Extent(geom) as e from published_grid where code = any(${codes})) x`
    .execute(db)
    .then((r) => r.rows[0]?.bbox ?? null);

  const daysSince = (d: string | null) => (d === null ? null : Math.round((Date.parse(today) - Date.parse(d)) / 864e5));
  const body = {
    today,
    me: { ...me, grid_codes: grids },
    bbox: bbox ?? ([0, 0, 0, 0] as BBox),
    grids: toFeatureCollection(gridRows, "code"),
    buildings: toFeatureCollection(buildingRows.rows, "id"),
    entrances: toFeatureCollection(
      entranceRows.rows.map((e) => ({ ...e, days_since_visit: daysSince(e.last_visit_on) })),
      "id",
    ),
    venues: toFeatureCollection(venueRows.rows, "id"),
    hazards: toFeatureCollection(hazardRows.rows, "id"),
    hazard_categories: hazardCategories,
    venue_categories: venueCategories,
  };
  return { version: versionOf(body), ...body };
}

/** A digest of everything the phone holds: it changes exactly when something the phone shows changed. */
function versionOf(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("base64url").slice(0, 22);
}
