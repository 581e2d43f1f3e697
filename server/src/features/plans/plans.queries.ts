import { sql, type Transaction } from "kysely";
import { type Actor, audit } from "../../db/audit.ts";
import type { BandStatus } from "../../db/band.ts";
import type { Db } from "../../db/db.ts";
import type { DB } from "../../db/schema.ts";
import { notFound } from "../../errors.ts";

export type Trx = Transaction<DB>;

const PLAN_COLUMNS = [
  "id",
  "subdistrict_code",
  "name",
  "status",
  "version",
  "based_on",
  "owner",
  "created_at",
  "updated_at",
  "valid_from",
  "valid_to",
  "published_by",
  "publish_reason",
] as const;

export function listPlans(db: Db) {
  return db
    .selectFrom("plan as p")
    .select(PLAN_COLUMNS.map((c) => `p.${c}` as const))
    .select(sql<number>`(select count(*)::int from grid g where g.plan_id = p.id)`.as("grids"))
    .orderBy(sql`case p.status when 'published' then 0 when 'draft' then 1 else 2 end`)
    .orderBy("p.updated_at", "desc")
    .execute();
}

export function findPlan(db: Db | Trx, id: number) {
  return db.selectFrom("plan").select(PLAN_COLUMNS).where("id", "=", id).executeTakeFirst();
}

export async function publishedPlanId(db: Db | Trx): Promise<number> {
  const row = await db
    .selectFrom("plan")
    .select("id")
    .where("status", "=", "published")
    .orderBy("id")
    .executeTakeFirst();
  if (!row) throw notFound("还没有已发布的方案", "no plan has been published");
  return row.id;
}

/** Copies a plan (its grids and every parcel assignment) into a new draft. */
export async function copyPlan(db: Db, from: "published" | number, name: string, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const sourceId = from === "published" ? await publishedPlanId(trx) : from;
    const source = await findPlan(trx, sourceId);
    if (!source) throw notFound(`没有编号为 ${sourceId} 的方案`, `no plan ${sourceId}`);
    const { id } = await trx
      .insertInto("plan")
      .values({
        subdistrict_code: source.subdistrict_code,
        name,
        status: "draft",
        based_on: source.id,
        owner: actor.username,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    // Grids keep their code; origin_code follows the published plan's codes through drafts of drafts.
    await sql`insert into grid (plan_id, code, community_code, name, locked, geom, origin_code)
      select ${id}, code, community_code, name, locked, geom,
        case when ${source.status} = 'draft' then origin_code else code end
      from grid where plan_id = ${source.id}`.execute(trx);
    await sql`insert into plan_parcel (plan_id, parcel_id, grid_id, community_code)
      select ${id}, pp.parcel_id, ng.id, pp.community_code
      from plan_parcel pp
      join grid og on og.id = pp.grid_id
      join grid ng on ng.plan_id = ${id} and ng.code = og.code
      where pp.plan_id = ${source.id}`.execute(trx);
    // A new plan id is unknown to the statistics, and the planner would then expect no rows for it and choose
    // nested loops over thousands; fresh statistics keep the first edits of a new draft fast.
    await sql`analyze plan_parcel, grid`.execute(trx);
    await audit(trx, {
      actor: actor.username,
      action: "plan_create",
      entity: "plan",
      entityId: id,
      diff: { name, from: source.id, version: 0 },
      ip: actor.ip,
    });
    return { id, version: 0 };
  });
}

// ---------------------------------------------------------------- figures

export type GridFigures = {
  grid_id: number;
  code: string;
  community_code: string;
  name: string;
  locked: boolean;
  households: number;
  entrances: number;
  buildings: number;
  parcels: number;
  area_m2: number;
  perimeter_m: number;
  boundary_on_road_m: number;
  buildings_split: number;
  compounds_split: number;
  band_min: number;
  band_max: number;
  status: BandStatus;
  /** Polsby-Popper: 4πA/P², 1 for a disc. */
  compactness: number;
  /** Share of the boundary that follows roads, water or the community's edge. */
  roads_share: number;
  contiguous: boolean;
  /** The connected pieces (parcel ids) when the grid is broken; empty when contiguous. */
  pieces: number[][];
};

/** Live figures of some (or all) grids of a plan, with contiguity from the parcel adjacency graph. */
export async function gridFigures(db: Db | Trx, planId: number, gridIds?: number[]): Promise<GridFigures[]> {
  const ids = gridIds ? [...new Set(gridIds)] : null;
  if (ids && ids.length === 0) return [];
  const rows = await sql<Omit<GridFigures, "compactness" | "roads_share" | "contiguous" | "pieces">>`
    select f.*, c.band_min, c.band_max
    from plan_grid_figures(${planId}, ${ids}::int[]) f
    join community c on c.code = f.community_code`.execute(db);
  const pieces = await gridPieces(db, planId, ids ?? rows.rows.map((r) => r.grid_id));
  return rows.rows.map((r) => {
    const parts = pieces.get(r.grid_id) ?? [];
    return {
      ...r,
      compactness: r.perimeter_m > 0 ? (4 * Math.PI * r.area_m2) / (r.perimeter_m * r.perimeter_m) : 0,
      roads_share: r.perimeter_m > 0 ? Math.min(1, r.boundary_on_road_m / r.perimeter_m) : 0,
      contiguous: parts.length <= 1,
      pieces: parts.length <= 1 ? [] : parts,
    };
  });
}

/** Connected components of each grid's parcels over shared boundaries (union-find). */
async function gridPieces(db: Db | Trx, planId: number, gridIds: number[]): Promise<Map<number, number[][]>> {
  // One round trip: the grids' parcels, then the boundaries shared inside each grid, found from those parcels.
  const rows = await sql<{ kind: 0 | 1; x: number; y: number }>`
    with m as materialized (
      select parcel_id, grid_id from plan_parcel where plan_id = ${planId} and grid_id = any(${gridIds}::int[])
    )
    select 0 as kind, parcel_id as x, grid_id as y from m
    union all
    select 1, e.a, e.b from m join parcel_edge e on e.a = m.parcel_id join m m2 on m2.parcel_id = e.b and m2.grid_id = m.grid_id`.execute(
    db,
  );
  const members = { rows: rows.rows.filter((r) => r.kind === 0).map((r) => ({ parcel_id: r.x, grid_id: r.y })) };
  const edges = { rows: rows.rows.filter((r) => r.kind === 1).map((r) => ({ a: r.x, b: r.y })) };
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let y = x;
    while (parent.get(y) !== r) {
      const next = parent.get(y)!;
      parent.set(y, r);
      y = next;
    }
    return r;
  };
  for (const m of members.rows) parent.set(m.parcel_id, m.parcel_id);
  for (const e of edges.rows) {
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra !== rb) parent.set(ra, rb);
  }
  const byGrid = new Map<number, Map<number, number[]>>();
  for (const m of members.rows) {
    const comps = byGrid.get(m.grid_id) ?? new Map<number, number[]>();
    byGrid.set(m.grid_id, comps);
    const root = find(m.parcel_id);
    comps.set(root, [...(comps.get(root) ?? []), m.parcel_id]);
  }
  return new Map(
    [...byGrid].map(([g, comps]) => [
      g,
      [...comps.values()].map((c) => c.sort((x, y) => x - y)).sort((x, y) => y.length - x.length),
    ]),
  );
}

/** A plan's parcels (`pp`) with their grid (`g`), parcel (`pa`) and entrance (`e`), for reads and edits alike. */
export function planParcelRows(db: Db | Trx, planId: number) {
  return db
    .selectFrom("plan_parcel as pp")
    .innerJoin("grid as g", "g.id", "pp.grid_id")
    .innerJoin("parcel as pa", "pa.id", "pp.parcel_id")
    .leftJoin("entrance as e", "e.id", "pa.entrance_id")
    .where("pp.plan_id", "=", planId);
}

/** A parcel's households in `planParcelRows`: its entrance's, none when it has no entrance. */
export const parcelHouseholds = sql<number>`coalesce(e.households, 0)`.as("households");

/** The parcels of a plan with their grid, households, building and compound; for the editor's map. */
export function planParcels(
  db: Db,
  planId: number,
  filter: { grid?: string | undefined; community?: string | undefined },
) {
  let q = planParcelRows(db, planId)
    .select([
      "pa.id",
      "g.code as grid",
      parcelHouseholds,
      "pa.entrance_id",
      "pa.building_id",
      "pa.compound_id",
      "pa.block_id",
      "pa.community_code",
    ])
    .orderBy("pa.id");
  if (filter.grid) q = q.where("g.code", "=", filter.grid);
  if (filter.community) q = q.where("pp.community_code", "=", filter.community);
  return q.execute();
}

/** The plan's edits, newest first, with undone ones marked. */
export function planHistory(db: Db, planId: number) {
  return db
    .selectFrom("plan_edit")
    .select([
      "id",
      "version",
      "actor",
      "at",
      "action",
      "summary",
      "state",
      sql<number>`jsonb_array_length(moves)`.as("parcels"),
    ])
    .where("plan_id", "=", planId)
    .where("state", "<>", "discarded")
    .orderBy("id", "desc")
    .limit(500)
    .execute();
}

/**
 * Rebuilds grid outlines (the union of their parcels) for all grids of a plan or for those an edit left without one.
 * Materialized first: as a joined subquery the planner may re-run the unions once per grid row.
 */
export async function outlineGrids(db: Db | Trx, planId: number, which: "all" | "stale"): Promise<void> {
  await sql`with u as materialized (
      select pp.grid_id, ST_Multi(ST_Union(pa.geom)) as geom
      from plan_parcel pp join parcel pa on pa.id = pp.parcel_id join grid g on g.id = pp.grid_id
      where pp.plan_id = ${planId} and (${which} = 'all' or g.geom is null)
      group by pp.grid_id
    )
    update grid g set geom = u.geom from u where u.grid_id = g.id`.execute(db);
}

/** Grid outlines of a plan, rebuilt where an edit left them stale. */
export async function planGridsWithOutlines(db: Db, planId: number, community?: string) {
  await outlineGrids(db, planId, "stale");
  const figures = await gridFigures(db, planId);
  const outlines = await sql<{ code: string; geometry: unknown }>`
    select code, ST_AsGeoJSON(geom, 7)::json as geometry from grid where plan_id = ${planId}`.execute(db);
  const byCode = new Map(outlines.rows.map((o) => [o.code, o.geometry]));
  return figures
    .filter((f) => !community || f.community_code === community)
    .map((f) => ({ ...f, geometry: byCode.get(f.code) ?? null }));
}
