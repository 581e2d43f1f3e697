import { sql } from "kysely";
import { type Actor, audit, versionConflict } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { DomainError, notFound } from "../../errors.ts";
import { gridFigures, outlineGrids, type Trx } from "./plans.queries.ts";

export type Problem = { code: string; grid?: string; zh: string; en: string; parcels?: number[] };

/** How a warning of a draft compares with the plan in force: acknowledgement is asked only for `new` and `worse`. */
export type WarningChange = "new" | "worse" | "unchanged" | "better";

/**
 * A warning, with its community (warnings are read community by community) and how it compares with the same
 * warning of the same grid code in the published plan. `amount` is how far off it is: households outside the band,
 * or buildings or compounds split.
 */
export type Warning = Problem & {
  grid: string;
  community_code: string;
  community_zh: string;
  community_en: string;
  amount: number;
  change: WarningChange;
};

type GridFigureRow = Awaited<ReturnType<typeof gridFigures>>[number];

/** The warnings of one grid's figures, before they are compared. */
function gridWarnings(g: GridFigureRow): Array<Omit<Warning, "community_zh" | "community_en" | "change">> {
  const out: Array<Omit<Warning, "community_zh" | "community_en" | "change">> = [];
  const base = { grid: g.code, community_code: g.code.slice(0, 12) };
  if (g.parcels > 0 && g.status !== "ok") {
    const under = g.status === "under";
    out.push({
      ...base,
      code: "out_of_band",
      amount: under ? g.band_min - g.households : g.households - g.band_max,
      zh: under
        ? `网格 ${g.code} 有 ${g.households} 户，少于 ${g.band_min} 户`
        : `网格 ${g.code} 有 ${g.households} 户，多于 ${g.band_max} 户`,
      en: under
        ? `grid ${g.code} has ${g.households} households, under ${g.band_min}`
        : `grid ${g.code} has ${g.households} households, over ${g.band_max}`,
    });
  }
  if (g.buildings_split > 0)
    out.push({
      ...base,
      code: "building_split",
      amount: g.buildings_split,
      zh: `网格 ${g.code} 有 ${g.buildings_split} 栋楼被拆分`,
      en: `grid ${g.code} has ${g.buildings_split} ${g.buildings_split === 1 ? "building" : "buildings"} split with another grid`,
    });
  if (g.compounds_split > 0)
    out.push({
      ...base,
      code: "compound_split",
      amount: g.compounds_split,
      zh: `网格 ${g.code} 有 ${g.compounds_split} 个小区被拆分`,
      en: `grid ${g.code} has ${g.compounds_split} ${g.compounds_split === 1 ? "compound" : "compounds"} split with another grid`,
    });
  return out;
}

/** `new` when the plan in force had no such warning on the grid code, else by how far off it is now. */
export function compareWarning(amount: number, before: number | undefined): WarningChange {
  if (before === undefined) return "new";
  if (amount > before) return "worse";
  return amount < before ? "better" : "unchanged";
}

/**
 * Errors block publishing; warnings are compared with the plan in force (by grid code and kind), so that only what
 * this plan makes new or worse needs an acknowledgement: a change to one community no longer asks to confirm the
 * long-standing warnings of all eleven.
 */
export async function validatePlan(db: Db | Trx, planId: number): Promise<{ errors: Problem[]; warnings: Warning[] }> {
  const errors: Problem[] = [];
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
  const figures = await gridFigures(db, planId);
  for (const g of figures) {
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
  }
  const published = await db
    .selectFrom("plan")
    .select("id")
    .where("subdistrict_code", "=", plan.subdistrict_code)
    .where("status", "=", "published")
    .executeTakeFirst();
  const before = new Map<string, number>();
  if (published && published.id !== planId) {
    for (const w of (await gridFigures(db, published.id)).flatMap(gridWarnings))
      before.set(`${w.code}:${w.grid}`, w.amount);
  }
  const names = new Map(
    (await db.selectFrom("community").select(["code", "name", "name_en"]).execute()).map((c) => [c.code, c]),
  );
  const warnings = figures.flatMap(gridWarnings).map((w): Warning => {
    const c = names.get(w.community_code);
    return {
      ...w,
      community_zh: c?.name ?? w.community_code,
      community_en: c?.name_en ?? c?.name ?? w.community_code,
      // The plan in force compared with itself (republishing it is refused anyway) has nothing new.
      change: published?.id === planId ? "unchanged" : compareWarning(w.amount, before.get(`${w.code}:${w.grid}`)),
    };
  });
  return { errors, warnings };
}

/** The warnings that need an acknowledgement: those this plan made new or worse than the plan in force. */
export const toAcknowledge = (warnings: Warning[]) =>
  warnings.filter((w) => w.change === "new" || w.change === "worse");

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
      throw new DomainError("precondition", "already_published", "此方案已是现行方案", "this plan is already in force");
    if (plan.version !== input.version) {
      throw await versionConflict(
        trx,
        { entity: "plan", id: planId, current: plan.version, given: input.version },
        () => ({
          zh: `方案已被修改（当前版本 ${plan.version}），请重新核对后再发布`,
          en: `the plan changed (now version ${plan.version}); review it again before publishing`,
        }),
      );
    }
    const { errors, warnings } = await validatePlan(trx, planId);
    if (errors.length) {
      throw new DomainError(
        "precondition",
        "invalid_plan",
        `方案有 ${errors.length} 处错误，不能发布：${errors[0]!.zh}`,
        `the plan has ${errors.length} errors and cannot be published: ${errors[0]!.en}`,
        undefined,
        { errors, warnings },
      );
    }
    const worse = toAcknowledge(warnings);
    if (worse.length && (!input.confirm || !input.reason)) {
      throw new DomainError(
        "precondition",
        "confirmation_required",
        `方案有 ${worse.length} 项新增或变差的警告；确认发布须填写理由`,
        `the plan has ${worse.length} new or worse warnings; confirm with a reason to publish`,
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
        // Only what was acknowledged, in both languages, so the trail reads in the reader's.
        warnings: worse.map((w) => ({ grid: w.grid, code: w.code, change: w.change, zh: w.zh, en: w.en })),
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
