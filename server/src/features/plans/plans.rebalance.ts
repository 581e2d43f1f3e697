import { sql } from "kysely";
import { type Actor, versionConflict } from "../../db/audit.ts";
import type { Db } from "../../db/db.ts";
import { DomainError, notFound } from "../../errors.ts";
import { type Job, JobRegistry } from "../../jobs.ts";
import type { Explanation, RebalanceMetrics, RebalanceProgress } from "../../rebalance/rebalance.engine.ts";
import { runRebalanceInWorker } from "../../rebalance/rebalance.run.ts";
import type { EditResult } from "./plans.edits.ts";
import { findPlan } from "./plans.queries.ts";
import { applyRebalance } from "./plans.tools.ts";

export type RebalanceRequest = {
  version: number;
  community: string;
  grids?: string[] | undefined;
  mode: "full" | "repair";
  min?: number | undefined;
  max?: number | undefined;
  grid_count?: number | undefined;
  budget_s?: number | undefined;
  over_full?: "split" | "keep" | undefined;
  seed: number;
};

export type RebalanceJob = Job & {
  plan_id: number;
  progress: { stage: RebalanceProgress["stage"] | "loading" | "applying"; done: number; total: number };
  /** Seconds of search per community the planner gave (0: the fast answer alone, which cannot be stopped). */
  budget_s: number;
  /** The planner asked to stop: the search keeps its best so far, which is applied as usual. */
  stopping: boolean;
  result?: {
    edit: EditResult;
    metrics: RebalanceMetrics;
    explanations: Pick<Explanation, "kind" | "severity" | "zh" | "en">[];
  };
};

/** A rebalance takes seconds; its outcome becomes a plan edit, which is what lasts. */
const jobs = new JobRegistry<RebalanceJob>();
/** The stop flag each running search to the limit shares with its worker (Int32 cell 0 set to 1). */
const stopFlags = new Map<string, SharedArrayBuffer>();

export function findJob(planId: number, id: string): RebalanceJob | undefined {
  const job = jobs.get(id);
  return job && job.plan_id === planId ? job : undefined;
}

/**
 * Asks a running search to stop and keep its best so far: the job then finishes as usual, with that plan applied
 * as one edit. A job that has finished, or has no search to stop (the fast answer alone), is returned unchanged.
 */
export function stopJob(planId: number, id: string): RebalanceJob | undefined {
  const job = findJob(planId, id);
  const flag = job && stopFlags.get(job.id);
  if (job && flag && job.state === "running") {
    Atomics.store(new Int32Array(flag), 0, 1);
    job.stopping = true;
  }
  return job;
}

/**
 * Starts rebalancing one community of a draft (or a selection of its grids: every other grid is locked) in a
 * worker thread. The result lands as one undoable edit against the version the planner asked with; if the draft
 * changed meanwhile, the job fails with a conflict and nothing is applied.
 */
export async function startRebalance(
  db: Db,
  planId: number,
  req: RebalanceRequest,
  actor: Actor,
): Promise<RebalanceJob> {
  const plan = await findPlan(db, planId);
  if (!plan) throw notFound(`没有编号为 ${planId} 的方案`, `no plan ${planId}`);
  if (plan.status !== "draft") {
    throw new DomainError("precondition", "not_a_draft", "只能在草稿方案上自动平衡", "only a draft can be rebalanced");
  }
  if (plan.version !== req.version) {
    throw await versionConflict(db, { entity: "plan", id: planId, current: plan.version, given: req.version }, () => ({
      zh: `方案已被修改（当前版本 ${plan.version}），请刷新`,
      en: `the plan changed (now version ${plan.version}); reload it`,
    }));
  }
  const community = await db
    .selectFrom("community")
    .select(["code", "band_min", "band_max"])
    .where("code", "=", req.community)
    .executeTakeFirst();
  if (!community)
    throw new DomainError(
      "precondition",
      "unknown_community",
      `没有社区 ${req.community}`,
      `no community ${req.community}`,
      "community",
    );
  const band = { min: req.min ?? community.band_min, max: req.max ?? community.band_max };
  if (band.min > band.max)
    throw new DomainError(
      "invalid",
      "bad_request",
      "min：下限不能大于上限",
      "min: the minimum must not exceed the maximum",
      "min",
    );

  const units = await sql<{
    id: string;
    households: number;
    building: string | null;
    compound: string | null;
    grid: string;
    locked: boolean;
    block: string;
    outer_m: number;
    area_m2: number;
  }>`
    select pa.id::text as id, coalesce(e.households, 0)::int as households, pa.building_id::text as building,
      pa.compound_id::text as compound, g.code as grid, g.locked, pa.block_id::text as block, pa.outer_m, pa.area_m2
    from plan_parcel pp
    join parcel pa on pa.id = pp.parcel_id
    join grid g on g.id = pp.grid_id
    left join entrance e on e.id = pa.entrance_id
    where pp.plan_id = ${planId} and pp.community_code = ${req.community}
    order by pa.id`.execute(db);
  if (!units.rows.length)
    throw new DomainError(
      "precondition",
      "empty_community",
      "该社区在此方案中没有地块",
      "the community has no parcels in this plan",
      "community",
    );
  const codes = [...new Set(units.rows.map((u) => u.grid))];
  if (req.grids) {
    const unknown = req.grids.filter((g) => !codes.includes(g));
    if (unknown.length) {
      throw new DomainError(
        "precondition",
        "unknown_grid",
        `网格 ${unknown.join("、")} 不在该社区`,
        `grid ${unknown.join(", ")} is not in that community`,
        "grids",
      );
    }
  }
  const selected = new Set(req.grids ?? codes);
  const locked = new Set(units.rows.filter((u) => u.locked || !selected.has(u.grid)).map((u) => u.grid));
  const edges = await sql<{ a: string; b: string; length_m: number; on_road: boolean }>`
    select a::text as a, b::text as b, length_m, on_road from parcel_edge where community_code = ${req.community}`.execute(
    db,
  );

  const compounds = await sql<{ id: string; name: string }>`
    select c.id::text as id, c.name from compound c where c.community_code = ${req.community} and c.name <> ''`.execute(
    db,
  );
  const input = {
    units: units.rows.map((u) => ({ ...u, community: req.community, locked: locked.has(u.grid) })),
    compound_names: Object.fromEntries(compounds.rows.map((c) => [c.id, c.name])),
    edges: edges.rows,
    band,
    mode: req.mode,
    seed: req.seed,
    locked_grids: [...locked],
    over_full: req.over_full === "keep" ? ("keep_buildings" as const) : ("split_buildings" as const),
    ...(req.grid_count === undefined ? {} : { grids: { [req.community]: req.grid_count } }),
  };
  const budget_s = req.budget_s ?? 0;
  const stop = budget_s > 0 ? new SharedArrayBuffer(4) : null;
  const started = jobs.start(
    { plan_id: planId, progress: { stage: "loading", done: 0, total: 1 }, budget_s, stopping: false },
    async (job) => {
      const outcome = await runRebalanceInWorker(
        input,
        (p) => {
          job.progress = { stage: p.stage, done: p.done, total: p.total };
        },
        undefined,
        stop
          ? {
              budget_ms: budget_s * 1000,
              over_full: req.over_full === "keep" ? "keep_buildings" : "split_buildings",
              stop,
            }
          : undefined,
      ).finally(() => stopFlags.delete(job.id));
      if (!outcome.ok) {
        const first = outcome.problems[0];
        const zh = first?.zh ?? "输入无效";
        throw new DomainError(
          "precondition",
          "invalid_input",
          zh,
          first?.en ?? "invalid input",
          undefined,
          outcome.problems,
        );
      }
      const { result } = outcome;
      job.progress = { stage: "applying", done: 1, total: 1 };
      const assignment = new Map(Object.entries(result.assignment).map(([unit, grid]) => [Number(unit), grid]));
      const newGrids = [...new Set(result.grids.map((g) => g.id))].filter((id) => !codes.includes(id));
      const edit = await applyRebalance(
        db,
        planId,
        { version: req.version, community: req.community, assignment, newGrids },
        actor,
        {
          mode: req.mode,
          band,
          metrics: result.metrics,
          community: req.community,
          over_full: req.over_full ?? "split",
        },
      );
      job.result = {
        edit,
        metrics: result.metrics,
        explanations: result.explanations.map(({ kind, severity, zh, en }) => ({ kind, severity, zh, en })),
      };
      job.progress = { stage: "done", done: 1, total: 1 };
    },
    (err) => {
      if (err instanceof DomainError) return { code: err.code, zh: err.zh, en: err.en, details: err.details };
      console.error(err);
      return { code: "internal", zh: "自动平衡失败", en: "the rebalance failed" };
    },
  );
  if (stop && started.state === "running") stopFlags.set(started.id, stop);
  return started;
}
