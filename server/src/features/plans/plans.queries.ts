import { sql, type Transaction } from "kysely";
import { audit } from "../../db/audit.ts";
import type { BandStatus } from "../../db/band.ts";
import type { Db } from "../../db/db.ts";
import type { DB } from "../../db/schema.ts";
import { ApiError, notFound } from "../../http/errors.ts";

type Trx = Transaction<DB>;

/** A parcel changing grid: [parcel id, from grid code, to grid code]. */
export type Move = [parcelId: number, from: string, to: string];
export type GridRow = {
  code: string;
  name: string;
  community_code: string;
  locked: boolean;
  origin_code: string | null;
};
export type GridChange = { from_code: string; to_code: string; from_name: string; to_name: string };
export type EditBody = {
  moves: Move[];
  grids_created: GridRow[];
  grids_removed: GridRow[];
  grid_changes: GridChange[];
  summary: Record<string, unknown>;
};
export type EditAction =
  | "assign"
  | "create_grid"
  | "delete_grid"
  | "split"
  | "merge"
  | "lock"
  | "rebalance"
  | "renumber";

export type Actor = { username: string; ip: string };

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

/** The parcels of a plan with their grid, households, building and compound; for the editor's map. */
export function planParcels(
  db: Db,
  planId: number,
  filter: { grid?: string | undefined; community?: string | undefined },
) {
  let q = db
    .selectFrom("plan_parcel as pp")
    .innerJoin("grid as g", "g.id", "pp.grid_id")
    .innerJoin("parcel as pa", "pa.id", "pp.parcel_id")
    .leftJoin("entrance as e", "e.id", "pa.entrance_id")
    .select([
      "pa.id",
      "g.code as grid",
      sql<number>`coalesce(e.households, 0)`.as("households"),
      "pa.entrance_id",
      "pa.building_id",
      "pa.compound_id",
      "pa.block_id",
      "pa.community_code",
    ])
    .where("pp.plan_id", "=", planId)
    .orderBy("pa.id");
  if (filter.grid) q = q.where("g.code", "=", filter.grid);
  if (filter.community) q = q.where("pp.community_code", "=", filter.community);
  return q.execute();
}

// ---------------------------------------------------------------- editing

/**
 * Locks a draft for an edit and checks the version the client edited against. A stale version is refused with 409,
 * naming who changed what since then, so the client can reload that part and tell the planner.
 */
async function lockDraft(trx: Trx, planId: number, version: number) {
  const plan = await trx.selectFrom("plan").selectAll().where("id", "=", planId).forNoKeyUpdate().executeTakeFirst();
  if (!plan) throw notFound(`没有编号为 ${planId} 的方案`, `no plan ${planId}`);
  if (plan.status !== "draft") {
    throw new ApiError(
      422,
      "not_a_draft",
      "只能编辑草稿方案；请先从此方案复制一份草稿",
      "only drafts can be edited; copy this plan into a draft first",
    );
  }
  if (plan.version !== version) {
    const since = await trx
      .selectFrom("audit_event")
      .select(["actor", "at", "action", "diff"])
      .where("entity", "=", "plan")
      .where("entity_id", "=", String(planId))
      .where(sql<boolean>`(diff->>'version')::int > ${version}`)
      .orderBy("id")
      .execute();
    const lines = since.map((e) => {
      const d = e.diff as { description_zh?: string; description_en?: string };
      return { actor: e.actor, at: e.at, zh: d.description_zh ?? e.action, en: d.description_en ?? e.action };
    });
    const last = lines.at(-1);
    throw new ApiError(
      409,
      "version_conflict",
      `方案已被修改（当前版本 ${plan.version}，您的版本 ${version}）${last ? `：${last.actor} ${last.zh}` : ""}。已为您重新载入。`,
      `the plan changed (now version ${plan.version}, yours ${version})${last ? `: ${last.actor} ${last.en}` : ""}; reload it`,
      "version",
      { current_version: plan.version, changes: lines },
    );
  }
  return plan;
}

async function gridsByCode(trx: Trx, planId: number) {
  const rows = await trx
    .selectFrom("grid")
    .select(["id", "code", "name", "community_code", "locked", "origin_code"])
    .where("plan_id", "=", planId)
    .execute();
  return new Map(rows.map((r) => [r.code, r]));
}

/** The next code never used in the community in any plan: codes of removed grids are not reused. */
async function nextFreeCode(trx: Trx, community: string, taken: Set<string> = new Set()): Promise<string> {
  const r = await sql<{ n: number | null }>`
    select max(right(code, 3)::int) as n from grid where community_code = ${community}`.execute(trx);
  let n = (r.rows[0]?.n ?? 0) + 1;
  while (taken.has(`${community}${String(n).padStart(3, "0")}`)) n++;
  if (n > 999)
    throw new ApiError(422, "codes_exhausted", "该社区的网格编码已用尽", "the community has used all 999 grid codes");
  return `${community}${String(n).padStart(3, "0")}`;
}

async function gridName(trx: Trx, community: string, code: string): Promise<string> {
  const c = await trx.selectFrom("community").select("name").where("code", "=", community).executeTakeFirstOrThrow();
  return `${c.name}第${Number(code.slice(12))}网格`;
}

async function insertGrid(trx: Trx, planId: number, g: GridRow): Promise<number> {
  const { id } = await trx
    .insertInto("grid")
    .values({
      plan_id: planId,
      code: g.code,
      name: g.name,
      community_code: g.community_code,
      locked: g.locked,
      origin_code: g.origin_code,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

/** Moves parcels to grids (by code) in one statement; grids' stored outlines become stale. */
async function applyMoves(trx: Trx, planId: number, moves: { parcel: number; to: string }[]): Promise<void> {
  if (!moves.length) return;
  const parcels = moves.map((m) => m.parcel);
  const targets = [...new Set(moves.map((m) => m.to))];
  // The outlines of the grids parcels leave and join are stale from now on; they are rebuilt when next read.
  await sql`update grid set geom = null where plan_id = ${planId} and geom is not null and (code = any(${targets}::text[])
    or id in (select grid_id from plan_parcel where plan_id = ${planId} and parcel_id = any(${parcels}::int[])))`.execute(
    trx,
  );
  await sql`update plan_parcel pp set grid_id = g.id
    from unnest(${parcels}::int[], ${moves.map((m) => m.to)}::text[]) as v(parcel_id, code)
    join grid g on g.plan_id = ${planId} and g.code = v.code
    where pp.plan_id = ${planId} and pp.parcel_id = v.parcel_id`.execute(trx);
}

async function applyGridChanges(trx: Trx, planId: number, changes: GridChange[], direction: "forward" | "back") {
  if (!changes.length) return;
  await sql`set constraints grid_plan_id_code_key deferred`.execute(trx);
  const from = changes.map((c) => (direction === "forward" ? c.from_code : c.to_code));
  const to = changes.map((c) => (direction === "forward" ? c.to_code : c.from_code));
  const names = changes.map((c) => (direction === "forward" ? c.to_name : c.from_name));
  await sql`update grid g set code = v.to_code, name = v.name
    from unnest(${from}::text[], ${to}::text[], ${names}::text[]) as v(from_code, to_code, name)
    where g.plan_id = ${planId} and g.code = v.from_code`.execute(trx);
}

async function removeGrids(trx: Trx, planId: number, codes: string[]): Promise<void> {
  if (!codes.length) return;
  const left = await sql<{ code: string }>`select g.code from grid g join plan_parcel pp on pp.grid_id = g.id
    where g.plan_id = ${planId} and g.code = any(${codes}::text[]) limit 1`.execute(trx);
  if (left.rows.length) throw new Error(`grid ${left.rows[0]?.code} still has parcels`);
  await trx.deleteFrom("grid").where("plan_id", "=", planId).where("code", "in", codes).execute();
}

/** Lock state changes are recorded as grid changes of field "locked" encoded in the name slots. */
async function applyLocks(trx: Trx, planId: number, changes: GridChange[], direction: "forward" | "back") {
  for (const c of changes) {
    const locked = (direction === "forward" ? c.to_name : c.from_name) === "locked";
    await trx
      .updateTable("grid")
      .set({ locked })
      .where("plan_id", "=", planId)
      .where("code", "=", c.from_code)
      .execute();
  }
}

/** Carries out an edit (forward) or its inverse (back). Order matters: grids must exist before parcels move in. */
async function play(trx: Trx, planId: number, action: string, e: EditBody, direction: "forward" | "back") {
  const created = direction === "forward" ? e.grids_created : e.grids_removed;
  const removed = direction === "forward" ? e.grids_removed : e.grids_created;
  for (const g of created) await insertGrid(trx, planId, g);
  if (action === "lock") await applyLocks(trx, planId, e.grid_changes, direction);
  else await applyGridChanges(trx, planId, e.grid_changes, direction);
  await applyMoves(
    trx,
    planId,
    e.moves.map(([parcel, from, to]) => ({ parcel, to: direction === "forward" ? to : from })),
  );
  await removeGrids(
    trx,
    planId,
    removed.map((g) => g.code),
  );
}

function describe(action: string, e: EditBody): { zh: string; en: string } {
  const n = e.moves.length;
  const hh = Number(e.summary.households ?? 0);
  const to = [...new Set(e.moves.map((m) => m[2].slice(12)))].join("、");
  switch (action) {
    case "assign":
      return {
        zh: `把 ${n} 个地块（${hh} 户）划入网格 ${to}`,
        en: `moved ${n} parcels (${hh} households) into grid ${to}`,
      };
    case "create_grid":
      return { zh: `新建网格 ${to}，含 ${n} 个地块`, en: `created grid ${to} with ${n} parcels` };
    case "delete_grid":
      return {
        zh: `删除网格 ${e.grids_removed.map((g) => g.code.slice(12)).join("、")}`,
        en: `deleted grid ${e.grids_removed.map((g) => g.code.slice(12)).join(", ")}`,
      };
    case "split":
      return {
        zh: `拆分网格，新建 ${e.grids_created.map((g) => g.code.slice(12)).join("、")}`,
        en: `split a grid into ${e.grids_created.map((g) => g.code.slice(12)).join(", ")}`,
      };
    case "merge":
      return {
        zh: `合并网格 ${e.grids_removed.map((g) => g.code.slice(12)).join("、")} 入 ${to}`,
        en: `merged grid ${e.grids_removed.map((g) => g.code.slice(12)).join(", ")} into ${to}`,
      };
    case "lock":
      return {
        zh: `锁定/解锁网格 ${e.grid_changes.map((c) => c.from_code.slice(12)).join("、")}`,
        en: `locked/unlocked grid ${e.grid_changes.map((c) => c.from_code.slice(12)).join(", ")}`,
      };
    case "rebalance":
      return { zh: `自动平衡：${n} 个地块（${hh} 户）调整`, en: `rebalanced: ${n} parcels (${hh} households) moved` };
    case "renumber":
      return { zh: `重新编号 ${e.grid_changes.length} 个网格`, en: `renumbered ${e.grid_changes.length} grids` };
    default:
      return { zh: action, en: action };
  }
}

/** Records an edit that has been carried out: bumps the version, discards the redo stack, audits. */
async function record(trx: Trx, plan: { id: number; version: number }, action: EditAction, e: EditBody, actor: Actor) {
  const version = plan.version + 1;
  const d = describe(action, e);
  const diff = {
    version,
    description_zh: d.zh,
    description_en: d.en,
    moves: e.moves,
    grids_created: e.grids_created.map((g) => g.code),
    grids_removed: e.grids_removed.map((g) => g.code),
    grid_changes: e.grid_changes,
    ...e.summary,
  };
  const community =
    e.grids_created[0]?.community_code ?? e.grids_removed[0]?.community_code ?? e.moves[0]?.[2]?.slice(0, 12) ?? null;
  // One round trip: an edit is on the hot path of painting.
  await sql`with discarded as (
      update plan_edit set state = 'discarded' where plan_id = ${plan.id} and state = 'undone'
    ), edit as (
      insert into plan_edit (plan_id, version, actor, action, moves, grids_created, grids_removed, grid_changes, summary)
      values (${plan.id}, ${version}, ${actor.username}, ${action}, ${JSON.stringify(e.moves)}::jsonb,
        ${JSON.stringify(e.grids_created)}::jsonb, ${JSON.stringify(e.grids_removed)}::jsonb,
        ${JSON.stringify(e.grid_changes)}::jsonb, ${JSON.stringify(e.summary)}::jsonb)
    ), bumped as (
      update plan set version = ${version}, updated_at = now() where id = ${plan.id}
    )
    insert into audit_event (actor, action, entity, entity_id, community_code, diff, ip)
    values (${actor.username}, ${`plan_${action}`}, 'plan', ${String(plan.id)}, ${community}, ${JSON.stringify(diff)}::jsonb, ${actor.ip})`.execute(
    trx,
  );
  return version;
}

async function householdsOf(trx: Trx, parcels: number[]): Promise<number> {
  const r = await sql<{ n: number }>`select coalesce(sum(e.households), 0)::int as n from parcel pa
    join entrance e on e.id = pa.entrance_id where pa.id = any(${parcels}::int[])`.execute(trx);
  return r.rows[0]?.n ?? 0;
}

export type EditResult = {
  version: number;
  grids: GridFigures[];
  removed: string[];
  undo_available: boolean;
  redo_available: boolean;
};

async function result(
  trx: Trx,
  planId: number,
  version: number,
  touched: Iterable<string>,
  removed: string[] = [],
  stack?: { undo: boolean; redo: boolean },
): Promise<EditResult> {
  const codes = [...new Set(touched)].filter((c) => !removed.includes(c));
  const ids = codes.length
    ? await trx.selectFrom("grid").select("id").where("plan_id", "=", planId).where("code", "in", codes).execute()
    : [];
  let state = stack;
  if (!state) {
    const rows = await trx
      .selectFrom("plan_edit")
      .select(["state", sql<number>`count(*)::int`.as("n")])
      .where("plan_id", "=", planId)
      .groupBy("state")
      .execute();
    const count = (st: string) => rows.find((x) => x.state === st)?.n ?? 0;
    state = { undo: count("done") > 0, redo: count("undone") > 0 };
  }
  return {
    version,
    grids: await gridFigures(
      trx,
      planId,
      ids.map((r) => r.id),
    ),
    removed,
    undo_available: state.undo,
    redo_available: state.redo,
  };
}

/** Right after an edit: it can be undone, and it discarded anything to redo. */
const AFTER_EDIT = { undo: true, redo: false } as const;

const lockedError = (codes: string[]) =>
  new ApiError(
    422,
    "grid_locked",
    `网格 ${codes.join("、")} 已锁定，不能改动；请先解锁`,
    `grid ${codes.join(", ")} is locked; unlock it first`,
    "grid",
    { grids: codes },
  );

/** Paints parcels into a grid (or a new one). Refuses parcels of several communities, unknown ones and locked grids. */
export async function assignParcels(
  db: Db,
  planId: number,
  input: { version: number; parcels: number[]; grid: string },
  actor: Actor,
): Promise<EditResult> {
  return db.transaction().execute(async (trx) => {
    const plan = await lockDraft(trx, planId, input.version);
    const wanted = [...new Set(input.parcels)];
    const rows = await trx
      .selectFrom("plan_parcel as pp")
      .innerJoin("grid as g", "g.id", "pp.grid_id")
      .innerJoin("parcel as pa", "pa.id", "pp.parcel_id")
      .leftJoin("entrance as e", "e.id", "pa.entrance_id")
      .select([
        "pp.parcel_id",
        "g.code",
        "g.locked",
        "pp.community_code",
        sql<number>`coalesce(e.households, 0)`.as("households"),
      ])
      .where("pp.plan_id", "=", planId)
      .where("pp.parcel_id", "in", wanted)
      .execute();
    if (rows.length !== wanted.length) {
      const found = new Set(rows.map((r) => r.parcel_id));
      const missing = wanted.filter((p) => !found.has(p));
      throw new ApiError(
        422,
        "unknown_parcels",
        `地块 ${missing.slice(0, 10).join("、")}${missing.length > 10 ? " 等" : ""} 不在此方案中`,
        `parcel ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? "…" : ""} not in this plan`,
        "parcels",
        { parcels: missing },
      );
    }
    const communities = [...new Set(rows.map((r) => r.community_code))];
    if (communities.length > 1) {
      throw new ApiError(
        422,
        "several_communities",
        `所选地块分属 ${communities.length} 个社区；网格不能跨社区`,
        `the parcels lie in ${communities.length} communities; a grid never crosses a community`,
        "parcels",
      );
    }
    const community = communities[0]!;
    const created: GridRow[] = [];
    let target = input.grid;
    if (target === "new") {
      target = await nextFreeCode(trx, community);
      const row: GridRow = {
        code: target,
        name: await gridName(trx, community, target),
        community_code: community,
        locked: false,
        origin_code: null,
      };
      await insertGrid(trx, planId, row);
      created.push(row);
    } else {
      const g = await trx
        .selectFrom("grid")
        .select(["community_code", "locked"])
        .where("plan_id", "=", planId)
        .where("code", "=", target)
        .executeTakeFirst();
      if (!g)
        throw new ApiError(422, "unknown_grid", `此方案中没有网格 ${target}`, `no grid ${target} in this plan`, "grid");
      if (g.community_code !== community) {
        throw new ApiError(
          422,
          "other_community",
          `地块属于另一个社区，不能划入网格 ${target}`,
          `the parcels belong to another community than grid ${target}`,
          "parcels",
        );
      }
      if (g.locked) throw lockedError([target]);
    }
    const lockedSources = [...new Set(rows.filter((r) => r.locked && r.code !== target).map((r) => r.code))];
    if (lockedSources.length) throw lockedError(lockedSources);
    const moves: Move[] = rows.filter((r) => r.code !== target).map((r) => [r.parcel_id, r.code, target]);
    if (!moves.length && !created.length) return result(trx, planId, plan.version, [target]);
    await applyMoves(
      trx,
      planId,
      moves.map(([parcel, , to]) => ({ parcel, to })),
    );
    const body: EditBody = {
      moves,
      grids_created: created,
      grids_removed: [],
      grid_changes: [],
      summary: {
        parcels: moves.length,
        households: rows.filter((r) => r.code !== target).reduce((n, r) => n + r.households, 0),
      },
    };
    const version = await record(trx, plan, created.length ? "create_grid" : "assign", body, actor);
    return result(trx, planId, version, [target, ...moves.map((m) => m[1])], [], AFTER_EDIT);
  });
}

/** Undoes the latest edit still in force, or redoes the earliest undone one. */
export async function undoRedo(
  db: Db,
  planId: number,
  version: number,
  which: "undo" | "redo",
  actor: Actor,
): Promise<EditResult> {
  return db.transaction().execute(async (trx) => {
    const plan = await lockDraft(trx, planId, version);
    const edit = await trx
      .selectFrom("plan_edit")
      .selectAll()
      .where("plan_id", "=", planId)
      .where("state", "=", which === "undo" ? "done" : "undone")
      .orderBy("id", which === "undo" ? "desc" : "asc")
      .executeTakeFirst();
    if (!edit) {
      throw new ApiError(
        422,
        `nothing_to_${which}`,
        which === "undo" ? "没有可撤销的操作" : "没有可重做的操作",
        `nothing to ${which}`,
      );
    }
    const body: EditBody = {
      moves: edit.moves as Move[],
      grids_created: edit.grids_created as GridRow[],
      grids_removed: edit.grids_removed as GridRow[],
      grid_changes: edit.grid_changes as GridChange[],
      summary: edit.summary as Record<string, unknown>,
    };
    await play(trx, planId, edit.action, body, which === "undo" ? "back" : "forward");
    await trx
      .updateTable("plan_edit")
      .set({ state: which === "undo" ? "undone" : "done" })
      .where("id", "=", edit.id)
      .execute();
    const next = plan.version + 1;
    await trx
      .updateTable("plan")
      .set({ version: next, updated_at: sql<Date>`now()` })
      .where("id", "=", planId)
      .execute();
    const d = describe(edit.action, body);
    await audit(trx, {
      actor: actor.username,
      action: `plan_${which}`,
      entity: "plan",
      entityId: planId,
      diff: {
        version: next,
        edit: edit.id,
        description_zh: `${which === "undo" ? "撤销" : "重做"}：${d.zh}`,
        description_en: `${which}: ${d.en}`,
      },
      ip: actor.ip,
    });
    const touched = [
      ...body.moves.flatMap((m) => [m[1], m[2]]),
      ...body.grid_changes.flatMap((c) => [c.from_code, c.to_code]),
      ...body.grids_created.map((g) => g.code),
      ...body.grids_removed.map((g) => g.code),
    ];
    const gone = (which === "undo" ? body.grids_created : body.grids_removed).map((g) => g.code);
    return result(trx, planId, next, touched, gone);
  });
}

/** Locks or unlocks a grid: locked grids are refused by every tool and kept by the rebalancer. */
export async function setLock(
  db: Db,
  planId: number,
  code: string,
  input: { version: number; locked: boolean },
  actor: Actor,
) {
  return db.transaction().execute(async (trx) => {
    const plan = await lockDraft(trx, planId, input.version);
    const g = (await gridsByCode(trx, planId)).get(code);
    if (!g) throw notFound(`此方案中没有网格 ${code}`, `no grid ${code} in this plan`);
    if (g.locked === input.locked) return result(trx, planId, plan.version, [code]);
    await trx.updateTable("grid").set({ locked: input.locked }).where("id", "=", g.id).execute();
    const change: GridChange = {
      from_code: code,
      to_code: code,
      from_name: g.locked ? "locked" : "open",
      to_name: input.locked ? "locked" : "open",
    };
    const version = await record(
      trx,
      plan,
      "lock",
      { moves: [], grids_created: [], grids_removed: [], grid_changes: [change], summary: { locked: input.locked } },
      actor,
    );
    return result(trx, planId, version, [code], [], AFTER_EDIT);
  });
}

/** Merges grid b into grid a; they must be of one community and share a boundary. */
export async function mergeGrids(
  db: Db,
  planId: number,
  input: { version: number; grids: [string, string] },
  actor: Actor,
) {
  return db.transaction().execute(async (trx) => {
    const plan = await lockDraft(trx, planId, input.version);
    const grids = await gridsByCode(trx, planId);
    const [a, b] = input.grids.map((code) => {
      const g = grids.get(code);
      if (!g)
        throw new ApiError(422, "unknown_grid", `此方案中没有网格 ${code}`, `no grid ${code} in this plan`, "grids");
      return g;
    }) as [NonNullable<ReturnType<typeof grids.get>>, NonNullable<ReturnType<typeof grids.get>>];
    if (a.code === b.code)
      throw new ApiError(422, "same_grid", "请选择两个不同的网格", "choose two different grids", "grids");
    if (a.community_code !== b.community_code)
      throw new ApiError(
        422,
        "other_community",
        "两个网格属于不同社区，不能合并",
        "the grids lie in different communities",
        "grids",
      );
    const locked = [a, b].filter((g) => g.locked).map((g) => g.code);
    if (locked.length) throw lockedError(locked);
    const touching = await sql<{ n: number }>`select count(*)::int as n from parcel_edge e
      join plan_parcel pa on pa.plan_id = ${planId} and pa.parcel_id = e.a
      join plan_parcel pb on pb.plan_id = ${planId} and pb.parcel_id = e.b
      where (pa.grid_id = ${a.id} and pb.grid_id = ${b.id}) or (pa.grid_id = ${b.id} and pb.grid_id = ${a.id})`.execute(
      trx,
    );
    if (!touching.rows[0]?.n)
      throw new ApiError(422, "not_adjacent", "两个网格不相邻，不能合并", "the grids do not share a boundary", "grids");
    const parcels = await trx
      .selectFrom("plan_parcel")
      .select("parcel_id")
      .where("plan_id", "=", planId)
      .where("grid_id", "=", b.id)
      .execute();
    const moves: Move[] = parcels.map((p) => [p.parcel_id, b.code, a.code]);
    await applyMoves(
      trx,
      planId,
      moves.map(([parcel, , to]) => ({ parcel, to })),
    );
    const removed: GridRow = {
      code: b.code,
      name: b.name,
      community_code: b.community_code,
      locked: b.locked,
      origin_code: b.origin_code,
    };
    await removeGrids(trx, planId, [b.code]);
    const version = await record(
      trx,
      plan,
      "merge",
      {
        moves,
        grids_created: [],
        grids_removed: [removed],
        grid_changes: [],
        summary: {
          parcels: moves.length,
          households: await householdsOf(
            trx,
            moves.map((m) => m[0]),
          ),
        },
      },
      actor,
    );
    return result(trx, planId, version, [a.code], [b.code], AFTER_EDIT);
  });
}

/**
 * Deletes a grid; its parcels go to the chosen neighbour, or each to the neighbouring grid it shares the longest
 * boundary with (growing inwards from the grid's edge until every parcel has found one).
 */
export async function deleteGrid(
  db: Db,
  planId: number,
  code: string,
  input: { version: number; into?: string | undefined },
  actor: Actor,
) {
  return db.transaction().execute(async (trx) => {
    const plan = await lockDraft(trx, planId, input.version);
    const grids = await gridsByCode(trx, planId);
    const g = grids.get(code);
    if (!g) throw notFound(`此方案中没有网格 ${code}`, `no grid ${code} in this plan`);
    if (g.locked) throw lockedError([code]);
    const parcels = (
      await trx
        .selectFrom("plan_parcel")
        .select("parcel_id")
        .where("plan_id", "=", planId)
        .where("grid_id", "=", g.id)
        .execute()
    ).map((p) => p.parcel_id);
    const edges = await sql<{
      a: number;
      b: number;
      length_m: number;
      ga: string;
      gb: string;
      la: boolean;
      lb: boolean;
    }>`
      select e.a, e.b, e.length_m, ga.code as ga, gb.code as gb, ga.locked as la, gb.locked as lb from parcel_edge e
      join plan_parcel pa on pa.plan_id = ${planId} and pa.parcel_id = e.a join grid ga on ga.id = pa.grid_id
      join plan_parcel pb on pb.plan_id = ${planId} and pb.parcel_id = e.b join grid gb on gb.id = pb.grid_id
      where (pa.grid_id = ${g.id}) <> (pb.grid_id = ${g.id}) or (pa.grid_id = ${g.id} and pb.grid_id = ${g.id})`.execute(
      trx,
    );
    const destination = new Map<number, string>();
    if (input.into) {
      const into = grids.get(input.into);
      if (!into || into.code === code)
        throw new ApiError(
          422,
          "unknown_grid",
          `此方案中没有可接收的网格 ${input.into}`,
          `no grid ${input.into} to take the parcels`,
          "into",
        );
      if (into.community_code !== g.community_code)
        throw new ApiError(
          422,
          "other_community",
          "接收网格属于另一个社区",
          "the receiving grid lies in another community",
          "into",
        );
      if (into.locked) throw lockedError([into.code]);
      if (!edges.rows.some((e) => (e.ga === into.code && e.gb === code) || (e.gb === into.code && e.ga === code))) {
        throw new ApiError(
          422,
          "not_adjacent",
          `网格 ${input.into} 与被删除的网格不相邻`,
          `grid ${input.into} does not border the deleted grid`,
          "into",
        );
      }
      for (const p of parcels) destination.set(p, input.into);
    } else {
      const inGrid = new Set(parcels);
      let frontier = true;
      while (frontier && destination.size < parcels.length) {
        frontier = false;
        const best = new Map<number, Map<string, number>>();
        for (const e of edges.rows) {
          for (const [self, other, otherGrid, otherLocked] of [
            [e.a, e.b, e.gb, e.lb],
            [e.b, e.a, e.ga, e.la],
          ] as const) {
            if (!inGrid.has(self) || destination.has(self)) continue;
            const to = inGrid.has(other) ? destination.get(other) : otherLocked ? undefined : otherGrid;
            if (!to) continue;
            const m = best.get(self) ?? new Map<string, number>();
            m.set(to, (m.get(to) ?? 0) + e.length_m);
            best.set(self, m);
          }
        }
        for (const [p, m] of best) {
          destination.set(p, [...m].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0]![0]);
          frontier = true;
        }
      }
      if (destination.size < parcels.length) {
        throw new ApiError(
          422,
          "no_neighbour",
          "该网格没有可接收其地块的相邻网格（相邻网格均已锁定或不存在）",
          "no unlocked neighbouring grid can take this grid's parcels",
          "grid",
        );
      }
    }
    const moves: Move[] = parcels.map((p) => [p, code, destination.get(p)!]);
    await applyMoves(
      trx,
      planId,
      moves.map(([parcel, , to]) => ({ parcel, to })),
    );
    const removed: GridRow = {
      code: g.code,
      name: g.name,
      community_code: g.community_code,
      locked: g.locked,
      origin_code: g.origin_code,
    };
    await removeGrids(trx, planId, [code]);
    const version = await record(
      trx,
      plan,
      "delete_grid",
      {
        moves,
        grids_created: [],
        grids_removed: [removed],
        grid_changes: [],
        summary: { parcels: moves.length, households: await householdsOf(trx, parcels) },
      },
      actor,
    );
    return result(
      trx,
      planId,
      version,
      moves.map((m) => m[2]),
      [code],
      AFTER_EDIT,
    );
  });
}

/**
 * Splits a grid along a drawn line: the line cuts the grid's outline into pieces, each parcel goes with the piece
 * its interior point lies in; the largest piece keeps the code, every other piece becomes a new grid.
 */
export async function splitGrid(
  db: Db,
  planId: number,
  code: string,
  input: { version: number; line: { type: "LineString"; coordinates: [number, number][] } },
  actor: Actor,
) {
  return db.transaction().execute(async (trx) => {
    const plan = await lockDraft(trx, planId, input.version);
    const grids = await gridsByCode(trx, planId);
    const g = grids.get(code);
    if (!g) throw notFound(`此方案中没有网格 ${code}`, `no grid ${code} in this plan`);
    if (g.locked) throw lockedError([code]);
    const pieces = await sql<{ piece: number; parcels: number[] }>`
      with members as (
        select pa.id, pa.geom from plan_parcel pp join parcel pa on pa.id = pp.parcel_id
        where pp.plan_id = ${planId} and pp.grid_id = ${g.id}
      ),
      outline as (select ST_Union(geom) as geom from members),
      cut as (
        select (ST_Dump(ST_Split(outline.geom, ST_SetSRID(ST_GeomFromGeoJSON(${JSON.stringify(input.line)}), 4326)))).geom as geom
        from outline
      ),
      numbered as (select row_number() over (order by ST_Area(geom) desc)::int as piece, geom from cut where ST_Area(geom) > 0)
      select n.piece, array_agg(m.id order by m.id) as parcels
      from members m
      join numbered n on ST_Intersects(n.geom, ST_PointOnSurface(m.geom))
      group by n.piece order by n.piece`.execute(trx);
    const assigned = new Map<number, number>();
    for (const p of pieces.rows) for (const id of p.parcels) if (!assigned.has(id)) assigned.set(id, p.piece);
    const groups = new Map<number, number[]>();
    for (const [id, piece] of assigned) groups.set(piece, [...(groups.get(piece) ?? []), id]);
    const ordered = [...groups.values()].sort((x, y) => y.length - x.length);
    if (ordered.length < 2) {
      throw new ApiError(
        422,
        "line_does_not_split",
        "所画的线没有把网格分成两部分：请从网格外画到网格外，横穿网格",
        "the line does not cut the grid in two: draw it from outside to outside, across the grid",
        "line",
      );
    }
    const created: GridRow[] = [];
    const moves: Move[] = [];
    const taken = new Set(grids.keys());
    for (const part of ordered.slice(1)) {
      const newCode = await nextFreeCode(trx, g.community_code, taken);
      taken.add(newCode);
      const row: GridRow = {
        code: newCode,
        name: await gridName(trx, g.community_code, newCode),
        community_code: g.community_code,
        locked: false,
        origin_code: null,
      };
      await insertGrid(trx, planId, row);
      created.push(row);
      for (const p of part) moves.push([p, code, newCode]);
    }
    await applyMoves(
      trx,
      planId,
      moves.map(([parcel, , to]) => ({ parcel, to })),
    );
    await trx.updateTable("grid").set({ geom: null }).where("id", "=", g.id).execute();
    const version = await record(
      trx,
      plan,
      "split",
      {
        moves,
        grids_created: created,
        grids_removed: [],
        grid_changes: [],
        summary: {
          parcels: moves.length,
          households: await householdsOf(
            trx,
            moves.map((m) => m[0]),
          ),
        },
      },
      actor,
    );
    return result(trx, planId, version, [code, ...created.map((c) => c.code)], [], AFTER_EDIT);
  });
}

/**
 * Recodes the grids of a community in reading order: rows from north to south, west to east within a row (a row
 * is as tall as a typical grid). Returns the code-change table.
 */
export async function renumber(db: Db, planId: number, input: { version: number; community: string }, actor: Actor) {
  return db.transaction().execute(async (trx) => {
    const plan = await lockDraft(trx, planId, input.version);
    const rows = await sql<{ code: string; name: string; x: number; y: number; area: number }>`
      select g.code, g.name, ST_X(c) as x, ST_Y(c) as y, area
      from grid g
      cross join lateral (
        select ST_Centroid(u) as c, ST_Area(u) as area from (
          select ST_Transform(ST_Collect(pa.geom), (select s.metric_srid from subdistrict s
            join community cm on cm.subdistrict_code = s.code where cm.code = g.community_code)) as u
          from plan_parcel pp join parcel pa on pa.id = pp.parcel_id
          where pp.plan_id = ${planId} and pp.grid_id = g.id
        ) t
      ) m
      where g.plan_id = ${planId} and g.community_code = ${input.community} and m.c is not null`.execute(trx);
    if (!rows.rows.length) throw notFound("此方案中该社区没有网格", "no grids of that community in this plan");
    const areas = rows.rows.map((r) => r.area).sort((a, b) => a - b);
    const rowHeight = Math.sqrt(areas[Math.floor(areas.length / 2)]!);
    const top = Math.max(...rows.rows.map((r) => r.y));
    const order = [...rows.rows].sort((a, b) => {
      const ra = Math.floor((top - a.y) / rowHeight);
      const rb = Math.floor((top - b.y) / rowHeight);
      return ra - rb || a.x - b.x;
    });
    const changes: GridChange[] = [];
    for (const [i, r] of order.entries()) {
      const to = `${input.community}${String(i + 1).padStart(3, "0")}`;
      if (to !== r.code)
        changes.push({
          from_code: r.code,
          to_code: to,
          from_name: r.name,
          to_name: await gridName(trx, input.community, to),
        });
    }
    if (!changes.length) return { ...(await result(trx, planId, plan.version, [])), changes };
    await applyGridChanges(trx, planId, changes, "forward");
    const version = await record(
      trx,
      plan,
      "renumber",
      {
        moves: [],
        grids_created: [],
        grids_removed: [],
        grid_changes: changes,
        summary: { community: input.community },
      },
      actor,
    );
    return {
      ...(await result(
        trx,
        planId,
        version,
        changes.map((c) => c.to_code),
        [],
        AFTER_EDIT,
      )),
      changes,
    };
  });
}

/** Carries out a rebalancer result as one undoable edit: new grids first, then the moves, then emptied grids go. */
export async function applyRebalance(
  db: Db,
  planId: number,
  input: { version: number; community: string; assignment: Map<number, string>; newGrids: string[] },
  actor: Actor,
  summary: Record<string, unknown>,
) {
  return db.transaction().execute(async (trx) => {
    const plan = await lockDraft(trx, planId, input.version);
    const grids = await gridsByCode(trx, planId);
    const current = await trx
      .selectFrom("plan_parcel as pp")
      .innerJoin("grid as g", "g.id", "pp.grid_id")
      .select(["pp.parcel_id", "g.code"])
      .where("pp.plan_id", "=", planId)
      .where("pp.community_code", "=", input.community)
      .execute();
    const created: GridRow[] = [];
    const codeOf = new Map<string, string>();
    const taken = new Set(grids.keys());
    for (const label of input.newGrids) {
      const code = await nextFreeCode(trx, input.community, taken);
      taken.add(code);
      codeOf.set(label, code);
      const row: GridRow = {
        code,
        name: await gridName(trx, input.community, code),
        community_code: input.community,
        locked: false,
        origin_code: null,
      };
      await insertGrid(trx, planId, row);
      created.push(row);
    }
    const moves: Move[] = [];
    for (const r of current) {
      const label = input.assignment.get(r.parcel_id);
      if (label === undefined) continue;
      const to = codeOf.get(label) ?? label;
      if (to !== r.code) moves.push([r.parcel_id, r.code, to]);
    }
    await applyMoves(
      trx,
      planId,
      moves.map(([parcel, , to]) => ({ parcel, to })),
    );
    const emptied = await sql<GridRow>`select g.code, g.name, g.community_code, g.locked, g.origin_code from grid g
      where g.plan_id = ${planId} and g.community_code = ${input.community}
      and not exists (select 1 from plan_parcel pp where pp.grid_id = g.id)`.execute(trx);
    await removeGrids(
      trx,
      planId,
      emptied.rows.map((g) => g.code),
    );
    const body: EditBody = {
      moves,
      grids_created: created,
      grids_removed: emptied.rows,
      grid_changes: [],
      summary: {
        ...summary,
        parcels: moves.length,
        households: await householdsOf(
          trx,
          moves.map((m) => m[0]),
        ),
      },
    };
    const version = await record(trx, plan, "rebalance", body, actor);
    return result(
      trx,
      planId,
      version,
      [...moves.flatMap((m) => [m[1], m[2]]), ...created.map((c) => c.code)],
      emptied.rows.map((g) => g.code),
      AFTER_EDIT,
    );
  });
}

// ---------------------------------------------------------------- history, comparison, publishing

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

export type Transfer = {
  parcel_id: number;
  community_code: string;
  building: string | null;
  compound: string | null;
  entrance: number | null;
  households: number;
  from_grid: string | null;
  to_grid: string | null;
};

/** Every parcel whose grid differs between plan a and plan b: the 划转清单. */
export async function transfers(db: Db, a: number, b: number): Promise<Transfer[]> {
  const r = await sql<Transfer>`
    select pa.id as parcel_id, pa.community_code, bu.name as building, k.name as compound, e.seq as entrance,
      coalesce(e.households, 0)::int as households, ga.code as from_grid, gb.code as to_grid
    from parcel pa
    left join plan_parcel xa on xa.plan_id = ${a} and xa.parcel_id = pa.id left join grid ga on ga.id = xa.grid_id
    left join plan_parcel xb on xb.plan_id = ${b} and xb.parcel_id = pa.id left join grid gb on gb.id = xb.grid_id
    left join entrance e on e.id = pa.entrance_id
    left join building bu on bu.id = pa.building_id
    left join compound k on k.id = pa.compound_id
    where (xa.parcel_id is not null or xb.parcel_id is not null) and ga.code is distinct from gb.code
    order by ga.code, gb.code, k.name, bu.name, e.seq, pa.id`.execute(db);
  return r.rows;
}

export async function comparePlans(db: Db, a: number, b: number) {
  const rows = await transfers(db, a, b);
  const [ga, gb] = await Promise.all([gridFigures(db, a), gridFigures(db, b)]);
  const codesA = new Map(ga.map((g) => [g.code, g]));
  const codesB = new Map(gb.map((g) => [g.code, g]));
  const flows = new Map<
    string,
    { from: string | null; to: string | null; parcels: number; households: number; buildings: Set<string> }
  >();
  for (const t of rows) {
    const key = `${t.from_grid}>${t.to_grid}`;
    const f = flows.get(key) ?? {
      from: t.from_grid,
      to: t.to_grid,
      parcels: 0,
      households: 0,
      buildings: new Set<string>(),
    };
    f.parcels++;
    f.households += t.households;
    if (t.building) f.buildings.add(`${t.compound ?? ""}${t.building}`);
    flows.set(key, f);
  }
  const changed = new Set(rows.flatMap((t) => [t.from_grid, t.to_grid]).filter((c): c is string => !!c));
  return {
    a,
    b,
    grids: {
      added: [...codesB.keys()].filter((c) => !codesA.has(c)),
      removed: [...codesA.keys()].filter((c) => !codesB.has(c)),
      changed: [...changed]
        .filter((c) => codesA.has(c) && codesB.has(c))
        .sort()
        .map((c) => ({ code: c, households_a: codesA.get(c)!.households, households_b: codesB.get(c)!.households })),
    },
    flows: [...flows.values()].map((f) => ({
      from: f.from,
      to: f.to,
      parcels: f.parcels,
      households: f.households,
      buildings: f.buildings.size,
    })),
    parcels: rows.map((t) => t.parcel_id),
    totals: {
      parcels: rows.length,
      households: rows.reduce((n, t) => n + t.households, 0),
      buildings: new Set(rows.filter((t) => t.building).map((t) => `${t.compound ?? ""}${t.building}`)).size,
    },
  };
}

export type Problem = { code: string; grid?: string; zh: string; en: string; parcels?: number[] };

/** Errors block publishing; warnings need a confirmation with a reason. */
export async function validatePlan(db: Db | Trx, planId: number): Promise<{ errors: Problem[]; warnings: Problem[] }> {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const plan = await db
    .selectFrom("plan")
    .select(["subdistrict_code"])
    .where("id", "=", planId)
    .executeTakeFirstOrThrow();
  const unassigned = await sql<{
    id: number;
  }>`select pa.id from parcel pa join community c on c.code = pa.community_code
    where c.subdistrict_code = ${plan.subdistrict_code}
    and not exists (select 1 from plan_parcel pp where pp.plan_id = ${planId} and pp.parcel_id = pa.id) order by pa.id`.execute(
    db,
  );
  if (unassigned.rows.length) {
    errors.push({
      code: "unassigned",
      zh: `${unassigned.rows.length} 个地块未划入任何网格`,
      en: `${unassigned.rows.length} parcels belong to no grid`,
      parcels: unassigned.rows.map((r) => r.id),
    });
  }
  for (const g of await gridFigures(db, planId)) {
    if (g.parcels === 0)
      errors.push({ code: "empty", grid: g.code, zh: `网格 ${g.code} 没有地块`, en: `grid ${g.code} has no parcels` });
    else if (!g.contiguous) {
      errors.push({
        code: "not_contiguous",
        grid: g.code,
        zh: `网格 ${g.code} 不连通（分成 ${g.pieces.length} 块）`,
        en: `grid ${g.code} is not contiguous (${g.pieces.length} pieces)`,
        parcels: g.pieces.slice(1).flat(),
      });
    }
    if (g.parcels > 0 && g.status !== "ok") {
      const [zh, en] =
        g.status === "under"
          ? [
              `网格 ${g.code} 有 ${g.households} 户，少于 ${g.band_min} 户`,
              `grid ${g.code} has ${g.households} households, under ${g.band_min}`,
            ]
          : [
              `网格 ${g.code} 有 ${g.households} 户，多于 ${g.band_max} 户`,
              `grid ${g.code} has ${g.households} households, over ${g.band_max}`,
            ];
      warnings.push({ code: "out_of_band", grid: g.code, zh, en });
    }
    if (g.buildings_split > 0)
      warnings.push({
        code: "building_split",
        grid: g.code,
        zh: `网格 ${g.code} 有 ${g.buildings_split} 栋楼被拆分`,
        en: `grid ${g.code} shares ${g.buildings_split} split buildings`,
      });
    if (g.compounds_split > 0)
      warnings.push({
        code: "compound_split",
        grid: g.code,
        zh: `网格 ${g.code} 有 ${g.compounds_split} 个小区被拆分`,
        en: `grid ${g.code} shares ${g.compounds_split} split compounds`,
      });
  }
  return { errors, warnings };
}

/**
 * Publishes a draft (or republishes an archived plan) in one transaction after validation: the plan in force is
 * archived with valid_to, this one gets valid_from, grid outlines are rebuilt, and worker assignments follow grids
 * that were renumbered; assignments to grids that no longer exist are dropped and listed in the audit trail.
 */
export async function publishPlan(
  db: Db,
  planId: number,
  input: { version: number; confirm: boolean; reason?: string | undefined },
  actor: Actor,
) {
  return db.transaction().execute(async (trx) => {
    const plan = await trx.selectFrom("plan").selectAll().where("id", "=", planId).forNoKeyUpdate().executeTakeFirst();
    if (!plan) throw notFound(`没有编号为 ${planId} 的方案`, `no plan ${planId}`);
    if (plan.status === "published")
      throw new ApiError(422, "already_published", "此方案已是现行方案", "this plan is already in force");
    if (plan.version !== input.version) {
      throw new ApiError(
        409,
        "version_conflict",
        `方案已被修改（当前版本 ${plan.version}），请重新核对后再发布`,
        `the plan changed (now version ${plan.version}); review it again before publishing`,
        "version",
        {
          current_version: plan.version,
        },
      );
    }
    const { errors, warnings } = await validatePlan(trx, planId);
    if (errors.length) {
      throw new ApiError(
        422,
        "invalid_plan",
        `方案有 ${errors.length} 处错误，不能发布：${errors[0]!.zh}`,
        `the plan has ${errors.length} errors and cannot be published: ${errors[0]!.en}`,
        undefined,
        { errors, warnings },
      );
    }
    if (warnings.length && (!input.confirm || !input.reason)) {
      throw new ApiError(
        422,
        "confirmation_required",
        `方案有 ${warnings.length} 项警告；确认发布须填写理由`,
        `the plan has ${warnings.length} warnings; confirm with a reason to publish`,
        "reason",
        { errors, warnings },
      );
    }
    const current = await trx
      .selectFrom("plan")
      .select(["id"])
      .where("subdistrict_code", "=", plan.subdistrict_code)
      .where("status", "=", "published")
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (current) {
      await trx
        .updateTable("plan")
        .set({ status: "archived", valid_to: sql<Date>`now()` })
        .where("id", "=", current.id)
        .execute();
    }
    await trx
      .updateTable("plan")
      .set({
        status: "published",
        valid_from: sql<Date>`now()`,
        valid_to: null,
        published_by: actor.username,
        publish_reason: input.reason ?? null,
        version: plan.version + 1,
      })
      .where("id", "=", planId)
      .execute();
    await outlineGrids(trx, planId, "all");
    const remapped = await sql<{ worker_id: number; from_code: string; to_code: string }>`
      delete from worker_assignment wa using grid g
      where g.plan_id = ${planId} and g.origin_code is not null and g.origin_code <> g.code and wa.grid_code = g.origin_code
      returning wa.worker_id, wa.grid_code as from_code, g.code as to_code`.execute(trx);
    for (const r of remapped.rows) {
      await trx
        .insertInto("worker_assignment")
        .values({ worker_id: r.worker_id, grid_code: r.to_code })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    const dropped = await sql<{ worker_id: number; grid_code: string }>`
      delete from worker_assignment wa where not exists (select 1 from grid g where g.plan_id = ${planId} and g.code = wa.grid_code)
      returning worker_id, grid_code`.execute(trx);
    await trx.updateTable("grid").set({ origin_code: sql`code` }).where("plan_id", "=", planId).execute();
    await audit(trx, {
      actor: actor.username,
      action: "plan_publish",
      entity: "plan",
      entityId: planId,
      diff: {
        version: plan.version + 1,
        replaced: current?.id ?? null,
        reason: input.reason ?? null,
        warnings: warnings.map((w) => w.en),
        assignments_moved: remapped.rows,
        assignments_dropped: dropped.rows,
        description_zh: "发布了方案",
        description_en: "published the plan",
      },
      ip: actor.ip,
    });
    return { id: planId, version: plan.version + 1, replaced: current?.id ?? null, warnings };
  });
}

/**
 * Rebuilds grid outlines (the union of their parcels) for all grids of a plan or for those an edit left without one.
 * Materialized first: as a joined subquery the planner may re-run the unions once per grid row.
 */
async function outlineGrids(db: Db | Trx, planId: number, which: "all" | "stale"): Promise<void> {
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
