import type { Geometry } from "geojson";
import { type RawBuilder, sql } from "kysely";
import type { Principal } from "../../auth/principal.ts";
import { visitShownAt } from "../../auth/privacy.ts";
import type { Db } from "../../db/db.ts";
import { LOCAL_TIME_ZONE } from "./workspace.input.ts";
import type { Figures, Team } from "./workspace.status.ts";

export type GridFigureRow = Figures & {
  code: string;
  name: string;
  community_code: string;
  entrances: number;
  buildings: number;
  venues: number;
  inspections_due_7d: number;
  last_visit_on: string | null;
};

/** The first instant of the local day `day`. */
export const startOfDay = (day: string): RawBuilder<unknown> =>
  sql`(${day}::date::timestamp at time zone ${LOCAL_TIME_ZONE})`;

/** The first instant after the local day `today` ends: hazards are open "as of" the end of that day. */
export const endOfDay = (today: string): RawBuilder<unknown> =>
  sql`((${today}::date + 1)::timestamp at time zone ${LOCAL_TIME_ZONE})`;

/**
 * A hazard's status at the end of the day `today`: its last transition by then, "reported" when all its
 * transitions came later, and its current status when it has none at all (a hazard written without history).
 */
export function hazardStatusAt(alias: string, today: string): RawBuilder<string> {
  const h = sql.ref(alias);
  return sql<string>`coalesce(
    (select t.to_status from hazard_transition t where t.hazard_id = ${h}.id and t.at < ${endOfDay(today)}
      order by t.at desc, t.id desc limit 1),
    case when exists (select 1 from hazard_transition t where t.hazard_id = ${h}.id) then 'reported'
      else ${h}.status end)`;
}

/**
 * The figures of the published plan's grids (of some communities, or one grid) as of the day `today`:
 *
 * - households, entrances, buildings from the parcels, as `grid_figure` counts them (a building split between two
 *   grids counts in both), without going through that view, which would aggregate every plan's grids;
 * - the team: current assignments of workers not retired (assignments keep no history; the audit trail does);
 * - visits up to `today`: an entrance counts as visited on the day of a visit to it or to its building; coverage
 *   counts entrances with households, the doors the monthly door-to-door visit is for;
 * - venues: the last inspection on or before `today` against the category's interval (never inspected = overdue);
 * - hazards open at the end of `today`: the last transition by then (the current status for a hazard without
 *   any transitions at all).
 */
export async function gridFigures(
  db: Db,
  where: { communities: readonly string[] } | { grid: string },
  today: string,
): Promise<GridFigureRow[]> {
  const scope =
    "grid" in where ? sql`g.code = ${where.grid}` : sql`g.community_code = any(${[...where.communities]}::text[])`;
  // The grids' ids first: bound as an array of known length, they let the planner expect the real number of
  // parcels and visits (and hash them) instead of one grid's worth (and loop over each).
  const ids = (await sql<{ id: number }>`select g.id from published_grid g where ${scope}`.execute(db)).rows.map(
    (r) => r.id,
  );
  const r = await sql<Omit<GridFigureRow, "workers" | "hazards_open"> & Team & Record<string, unknown>>`
    with g as (
      select g.id, g.plan_id, g.code, g.name, g.community_code, c.band_min, c.band_max
      from grid g join community c on c.code = g.community_code
      where g.id = any(${ids}::int[])
    ),
    parcels as materialized (
      select pp.grid_id, pa.building_id, pa.entrance_id, e.households
      from plan_parcel pp
      join parcel pa on pa.id = pp.parcel_id
      left join entrance e on e.id = pa.entrance_id
      where pp.grid_id = any(${ids}::int[])
    ),
    fig as (
      select grid_id,
        coalesce(sum(households), 0)::int as households,
        count(entrance_id)::int as entrances,
        count(distinct building_id)::int as buildings,
        count(*) filter (where households > 0)::int as entrances_with_households
      from parcels group by grid_id
    ),
    -- A backward index scan per entrance (visit_entrance_idx, visit_building_idx) is a few milliseconds for the
    -- whole subdistrict, several times faster than aggregating every visit; materialized so that it runs once.
    seen as materialized (
      select p.grid_id, p.households, greatest(
        (select max(v.visited_on) from visit_record v
          where v.entrance_id = p.entrance_id and v.visited_on <= ${today}::date),
        (select max(v.visited_on) from visit_record v
          where v.building_id = p.building_id and v.visited_on <= ${today}::date)
      ) as last_on
      from parcels p where p.entrance_id is not null
    ),
    cov as (
      select grid_id,
        count(*) filter (where households > 0 and last_on > ${today}::date - 30)::int as entrances_visited_30d,
        count(*) filter (where households > 0 and last_on >= date_trunc('month', ${today}::date)::date)::int
          as entrances_visited_month,
        max(last_on) as last_visit_on
      from seen group by grid_id
    ),
    team as (
      select wa.grid_code,
        count(*) filter (where w.role = 'grid_leader')::int as grid_leader,
        count(*) filter (where w.role = 'grid_worker')::int as grid_worker,
        count(*) filter (where w.role = 'info_worker')::int as info_worker
      from worker_assignment wa join worker w on w.id = wa.worker_id
      where w.retired_on is null and wa.grid_code in (select code from g)
      group by wa.grid_code
    ),
    -- The last inspection of each venue of these grids, one backward probe of inspection_venue_last_idx each:
    -- aggregating every inspection grew with the whole database (a city's 160,000: 30 ms), not with the grids.
    ven as (
      select pp.grid_id, vc.inspection_interval_days as every, li.last_on
      from plan_parcel pp
      join venue v on v.parcel_id = pp.parcel_id
      join venue_category vc on vc.code = v.category
      cross join lateral (
        select max(i.inspected_on) as last_on from inspection i
        where i.venue_id = v.id and i.inspected_on <= ${today}::date
      ) li
      where pp.grid_id = any(${ids}::int[])
    ),
    ins as (
      select grid_id, count(*)::int as venues,
        count(*) filter (where last_on is null or last_on + every < ${today}::date)::int as inspections_overdue,
        count(*) filter (where last_on + 2 * every < ${today}::date)::int as inspections_overdue_long,
        count(*) filter (where last_on + every between ${today}::date and ${today}::date + 7)::int as inspections_due_7d
      from ven group by grid_id
    ),
    -- The status then of the hazards of these grids only: of every hazard, it grew with the whole database.
    haz as materialized (
      select pp.grid_id, h.severity, h.reported_at, ${hazardStatusAt("h", today)} as status_then
      from plan_parcel pp
      join hazard h on h.parcel_id = pp.parcel_id
      where pp.grid_id = any(${ids}::int[]) and h.reported_at < ${endOfDay(today)}
    ),
    hz as (
      select grid_id, count(*)::int as hazards_total,
        count(*) filter (where severity = 'high')::int as hazards_high,
        count(*) filter (where severity = 'medium')::int as hazards_medium,
        count(*) filter (where severity = 'low')::int as hazards_low,
        min((reported_at at time zone ${LOCAL_TIME_ZONE})::date) as hazards_oldest_on
      from haz where status_then in ('reported', 'assigned', 'in_progress')
      group by grid_id
    )
    select g.code, g.name, g.community_code, g.band_min, g.band_max,
      band_status(coalesce(fig.households, 0), g.band_min, g.band_max) as band_status,
      coalesce(fig.households, 0) as households, coalesce(fig.entrances, 0) as entrances,
      coalesce(fig.buildings, 0) as buildings, coalesce(fig.entrances_with_households, 0) as entrances_with_households,
      coalesce(cov.entrances_visited_30d, 0) as entrances_visited_30d,
      coalesce(cov.entrances_visited_month, 0) as entrances_visited_month,
      cov.last_visit_on,
      coalesce(team.grid_leader, 0) as grid_leader, coalesce(team.grid_worker, 0) as grid_worker,
      coalesce(team.info_worker, 0) as info_worker,
      coalesce(ins.venues, 0) as venues, coalesce(ins.inspections_overdue, 0) as inspections_overdue,
      coalesce(ins.inspections_overdue_long, 0) as inspections_overdue_long,
      coalesce(ins.inspections_due_7d, 0) as inspections_due_7d,
      coalesce(hz.hazards_total, 0) as hazards_total, coalesce(hz.hazards_high, 0) as hazards_high,
      coalesce(hz.hazards_medium, 0) as hazards_medium, coalesce(hz.hazards_low, 0) as hazards_low,
      hz.hazards_oldest_on, (${today}::date - hz.hazards_oldest_on) as hazards_oldest_days
    from g
    left join fig on fig.grid_id = g.id
    left join cov on cov.grid_id = g.id
    left join team on team.grid_code = g.code
    left join ins on ins.grid_id = g.id
    left join hz on hz.grid_id = g.id
    order by g.code
  `.execute(db);
  return r.rows.map((row) => ({
    code: row.code,
    name: row.name,
    community_code: row.community_code,
    band_min: row.band_min,
    band_max: row.band_max,
    band_status: row.band_status,
    households: row.households,
    entrances: row.entrances,
    buildings: row.buildings,
    entrances_with_households: row.entrances_with_households,
    entrances_visited_30d: row.entrances_visited_30d,
    entrances_visited_month: row.entrances_visited_month,
    last_visit_on: row.last_visit_on,
    workers: { grid_leader: row.grid_leader, grid_worker: row.grid_worker, info_worker: row.info_worker },
    venues: row.venues,
    inspections_overdue: row.inspections_overdue,
    inspections_overdue_long: row.inspections_overdue_long,
    inspections_due_7d: row.inspections_due_7d,
    hazards_open: {
      total: row.hazards_total as number,
      high: row.hazards_high as number,
      medium: row.hazards_medium as number,
      low: row.hazards_low as number,
      oldest_reported_on: (row.hazards_oldest_on as string | null) ?? null,
      oldest_days: (row.hazards_oldest_days as number | null) ?? null,
    },
  }));
}

/** The communities of the subdistrict with the people each counts (active workers by role, assigned or not). */
export async function communityFacts(db: Db, communities: readonly string[]) {
  const r = await sql<{
    code: string;
    name: string;
    name_en: string | null;
    band_min: number;
    band_max: number;
    grid_leader: number;
    grid_worker: number;
    info_worker: number;
  }>`
    select c.code, c.name, c.name_en, c.band_min, c.band_max,
      count(w.id) filter (where w.role = 'grid_leader')::int as grid_leader,
      count(w.id) filter (where w.role = 'grid_worker')::int as grid_worker,
      count(w.id) filter (where w.role = 'info_worker')::int as info_worker
    from community c
    left join worker w on w.community_code = c.code and w.retired_on is null
    where c.code = any(${[...communities]}::text[])
    group by c.code order by c.code
  `.execute(db);
  return r.rows;
}

export async function allCommunityCodes(db: Db): Promise<string[]> {
  const rows = await db.selectFrom("community").select("code").orderBy("code").execute();
  return rows.map((r) => r.code);
}

export function findCommunity(db: Db, code: string) {
  return db
    .selectFrom("community")
    .select(["code", "name", "name_en", "band_min", "band_max"])
    .where("code", "=", code)
    .executeTakeFirst();
}

/** The published grid of a code with its community, or undefined. */
export function findGrid(db: Db, code: string) {
  return db
    .selectFrom("published_grid as g")
    .select([
      sql<number>`g.id`.as("id"),
      sql<string>`g.code`.as("code"),
      sql<string>`g.community_code`.as("community_code"),
    ])
    .where("g.code", "=", code)
    .executeTakeFirst();
}

/** The last day anyone recorded a visit, so a reader of old data can be offered that day as "today". */
export async function latestVisitOn(db: Db, communities: readonly string[]): Promise<string | null> {
  const r = await sql<{ d: string | null }>`
    select max(v.visited_on) as d from visit_record v join worker w on w.id = v.worker_id
    where w.community_code = any(${[...communities]}::text[])`.execute(db);
  return r.rows[0]?.d ?? null;
}

// ---------------------------------------------------------------- one grid in depth

/**
 * Every entrance of the grid with its last visit on or before `today` (a building visit counts for its entrances),
 * counting only visits the reader may see one by one (`visitShown`: at a small place, only a secretary's or the
 * worker's own); `small_place` marks entrances of fewer than 3 households.
 */
export async function gridEntrances(db: Db, p: Principal, gridId: number, today: string) {
  const shown = visitShownAt(p, "v");
  const r = await sql<{
    id: number;
    building_id: number;
    building_name: string;
    seq: number;
    households: number;
    small_place: boolean;
    last_visit_on: string | null;
    geometry: Geometry;
  }>`
    select e.id, e.building_id, b.name as building_name, e.seq, e.households,
      small_place(e.id, null) as small_place,
      greatest(
        (select max(v.visited_on) from visit_record v
          where v.entrance_id = e.id and v.visited_on <= ${today}::date and ${shown}),
        (select max(v.visited_on) from visit_record v
          where v.building_id = e.building_id and v.visited_on <= ${today}::date and ${shown})
      ) as last_visit_on,
      ST_AsGeoJSON(e.geom, 7)::json as geometry
    from plan_parcel pp
    join parcel pa on pa.id = pp.parcel_id
    join entrance e on e.id = pa.entrance_id
    join building b on b.id = e.building_id
    where pp.grid_id = ${gridId}
    order by b.name, e.seq`.execute(db);
  return r.rows;
}

/** The grid's venues with their last inspection on or before `today` and when the next is due. */
export async function gridVenues(db: Db, gridId: number, today: string) {
  const r = await sql<{
    id: number;
    name: string;
    category: string;
    category_zh: string;
    category_en: string;
    interval_days: number;
    last_inspected_on: string | null;
    due_on: string | null;
    geometry: Geometry;
  }>`
    select v.id, v.name, v.category, vc.name_zh as category_zh, vc.name_en as category_en,
      vc.inspection_interval_days as interval_days, l.last_on as last_inspected_on,
      (l.last_on + vc.inspection_interval_days) as due_on,
      ST_AsGeoJSON(v.geom, 7)::json as geometry
    from plan_parcel pp
    join venue v on v.parcel_id = pp.parcel_id
    join venue_category vc on vc.code = v.category
    cross join lateral (select max(i.inspected_on) as last_on from inspection i
      where i.venue_id = v.id and i.inspected_on <= ${today}::date) l
    where pp.grid_id = ${gridId}
    order by v.name`.execute(db);
  return r.rows;
}

/** Hazards of the grid open at the end of `today`, oldest first. */
export async function gridHazards(db: Db, gridId: number, today: string) {
  const r = await sql<{
    id: number;
    title: string;
    category: string;
    severity: string;
    status: string;
    reported_on: string;
    days_open: number;
    geometry: Geometry;
  }>`
    select * from (
      select h.id, h.title, h.category, h.severity,
        ${hazardStatusAt("h", today)} as status,
        (h.reported_at at time zone ${LOCAL_TIME_ZONE})::date as reported_on,
        ${today}::date - (h.reported_at at time zone ${LOCAL_TIME_ZONE})::date as days_open,
        ST_AsGeoJSON(h.geom, 7)::json as geometry
      from plan_parcel pp join hazard h on h.parcel_id = pp.parcel_id
      where pp.grid_id = ${gridId} and h.reported_at < ${endOfDay(today)}
    ) x
    where status in ('reported', 'assigned', 'in_progress')
    order by reported_on, id`.execute(db);
  return r.rows;
}

/**
 * Twelve weeks ending on `today` (week 12 is the seven days up to and including it): visits to the grid's
 * entrances and buildings, hazards reported and hazards resolved in each.
 */
export async function gridTrend(db: Db, gridId: number, today: string) {
  const r = await sql<{
    week_start: string;
    week_end: string;
    visits: number;
    hazards_reported: number;
    hazards_resolved: number;
  }>`
    with weeks as (
      select (${today}::date - 7 * k - 6) as week_start, (${today}::date - 7 * k) as week_end
      from generate_series(0, 11) k
    ),
    places as (
      select pa.entrance_id, pa.building_id from plan_parcel pp join parcel pa on pa.id = pp.parcel_id
      where pp.grid_id = ${gridId}
    ),
    vis as (
      select v.visited_on, v.visits from visit_record v where v.entrance_id in (select entrance_id from places)
        and v.visited_on between ${today}::date - 83 and ${today}::date
      union all
      select v.visited_on, v.visits from visit_record v where v.building_id in (select building_id from places)
        and v.visited_on between ${today}::date - 83 and ${today}::date
    ),
    haz as (
      select h.id, (h.reported_at at time zone ${LOCAL_TIME_ZONE})::date as reported_on
      from hazard h where h.parcel_id in (select parcel_id from plan_parcel where grid_id = ${gridId})
    ),
    resolved as (
      select (t.at at time zone ${LOCAL_TIME_ZONE})::date as on_day from hazard_transition t
      where t.hazard_id in (select id from haz) and t.to_status = 'resolved'
    )
    select w.week_start, w.week_end,
      (select coalesce(sum(visits), 0) from vis where visited_on between w.week_start and w.week_end)::int as visits,
      (select count(*) from haz where reported_on between w.week_start and w.week_end)::int as hazards_reported,
      (select count(*) from resolved where on_day between w.week_start and w.week_end)::int as hazards_resolved
    from weeks w order by w.week_start`.execute(db);
  return r.rows;
}
