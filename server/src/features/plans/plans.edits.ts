import { sql } from "kysely";
import { type Actor, audit, versionConflict } from "../../db/audit.ts";
import type { AuditAction } from "../../db/audit-vocabulary.ts";
import type { Db } from "../../db/db.ts";
import { DomainError, notFound } from "../../errors.ts";
import { type GridFigures, gridFigures, type Trx } from "./plans.queries.ts";

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

/** Runs an edit in one transaction on the draft, locked and checked against the version the client edited. */
export function onDraft<T>(
  db: Db,
  planId: number,
  version: number,
  edit: (trx: Trx, plan: Awaited<ReturnType<typeof lockDraft>>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => edit(trx, await lockDraft(trx, planId, version)));
}

/** A grid of the plan by code, or 404 naming it; with `unlocked`, a locked grid is refused too. */
export async function gridOfPlan(trx: Trx, planId: number, code: string, unlocked: boolean) {
  const grids = await gridsByCode(trx, planId);
  const g = grids.get(code);
  if (!g) throw notFound(`此方案中没有网格 ${code}`, `no grid ${code} in this plan`);
  if (unlocked && g.locked) throw lockedError([code]);
  return { grids, g };
}

/**
 * Locks a draft for an edit and checks the version the client edited against. A stale version is refused with 409,
 * naming who changed what since then, so the client can reload that part and tell the planner.
 */
export async function lockDraft(trx: Trx, planId: number, version: number) {
  const plan = await trx.selectFrom("plan").selectAll().where("id", "=", planId).forNoKeyUpdate().executeTakeFirst();
  if (!plan) throw notFound(`没有编号为 ${planId} 的方案`, `no plan ${planId}`);
  if (plan.status !== "draft") {
    throw new DomainError(
      "precondition",
      "not_a_draft",
      "只能编辑草稿方案；请先从此方案复制一份草稿",
      "only drafts can be edited; copy this plan into a draft first",
    );
  }
  if (plan.version !== version) {
    throw await versionConflict(trx, { entity: "plan", id: planId, current: plan.version, given: version }, (last) => ({
      zh: `方案已被修改（当前版本 ${plan.version}，您的版本 ${version}）${last ? `：${last.actor} ${last.zh}` : ""}。已为您重新载入。`,
      en: `the plan changed (now version ${plan.version}, yours ${version})${last ? `: ${last.actor} ${last.en}` : ""}; reload it`,
    }));
  }
  return plan;
}

export async function gridsByCode(trx: Trx, planId: number) {
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
    throw new DomainError(
      "precondition",
      "codes_exhausted",
      "该社区的网格编码已用尽",
      "the community has used all 999 grid codes",
    );
  return `${community}${String(n).padStart(3, "0")}`;
}

export async function gridName(trx: Trx, community: string, code: string): Promise<string> {
  const c = await trx.selectFrom("community").select("name").where("code", "=", community).executeTakeFirstOrThrow();
  return `${c.name}第${Number(code.slice(12))}网格`;
}

/** A new, unlocked grid of a community under the next free code, which joins `taken` when given. */
export async function newGrid(trx: Trx, community: string, taken?: Set<string>): Promise<GridRow> {
  const code = await nextFreeCode(trx, community, taken);
  taken?.add(code);
  return {
    code,
    name: await gridName(trx, community, code),
    community_code: community,
    locked: false,
    origin_code: null,
  };
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
    values (${actor.username}, ${`plan_${action}` satisfies AuditAction}, 'plan', ${String(plan.id)}, ${community}, ${JSON.stringify(diff)}::jsonb, ${actor.ip})`.execute(
    trx,
  );
  return version;
}

/** What an edit moves, for its summary: parcels and the households on them. */
export async function movedCounts(trx: Trx, moves: Move[]): Promise<{ parcels: number; households: number }> {
  const r = await sql<{ n: number }>`select coalesce(sum(e.households), 0)::int as n from parcel pa
    join entrance e on e.id = pa.entrance_id where pa.id = any(${moves.map((m) => m[0])}::int[])`.execute(trx);
  return { parcels: moves.length, households: r.rows[0]?.n ?? 0 };
}

export type EditResult = {
  version: number;
  grids: GridFigures[];
  removed: string[];
  undo_available: boolean;
  redo_available: boolean;
};

/** The figures of the grids an edit touched (those it removed left out) and what can be undone or redone. */
export async function editResult(
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

/** The grid codes an edit touches, whichever way it is played. */
function touchedBy(e: EditBody): string[] {
  return [
    ...e.moves.flatMap((m) => [m[1], m[2]]),
    ...e.grid_changes.flatMap((c) => [c.from_code, c.to_code]),
    ...e.grids_created.map((g) => g.code),
    ...e.grids_removed.map((g) => g.code),
  ];
}

/**
 * Carries out a decided edit as a redo would replay it (new grids first, then renames or locks, then the moves,
 * then the grids it empties go), records it, and returns the figures of the grids it touched. Every tool ends here.
 */
export async function commitEdit(
  trx: Trx,
  plan: { id: number; version: number },
  action: EditAction,
  e: EditBody,
  actor: Actor,
): Promise<EditResult> {
  await play(trx, plan.id, action, e, "forward");
  const version = await record(trx, plan, action, e, actor);
  return editResult(
    trx,
    plan.id,
    version,
    touchedBy(e),
    e.grids_removed.map((g) => g.code),
    AFTER_EDIT,
  );
}

export const lockedError = (codes: string[]) =>
  new DomainError(
    "precondition",
    "grid_locked",
    `网格 ${codes.join("、")} 已锁定，不能改动；请先解锁`,
    `grid ${codes.join(", ")} is locked; unlock it first`,
    "grid",
    { grids: codes },
  );

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
      throw new DomainError(
        "precondition",
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
    const gone = (which === "undo" ? body.grids_created : body.grids_removed).map((g) => g.code);
    return editResult(trx, planId, next, touchedBy(body), gone);
  });
}
