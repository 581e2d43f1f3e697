import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireRole } from "../../auth/principal.ts";
import { actorOf, principalOf } from "../../auth/session.ts";
import { BAND_STATUSES } from "../../db/band.ts";
import { notFound } from "../../errors.ts";
import { csvText } from "../../http/csv.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { communityCode, errorsOf, gridCode, json, jsonBody } from "../../http/schemas.ts";
import { comparePlans, transfers } from "./plans.compare.ts";
import { undoRedo } from "./plans.edits.ts";
import {
  Assign,
  CompareParam,
  CreatePlan,
  DeleteGrid,
  Lock,
  Merge,
  PlanGridParam,
  PlanParam,
  Publish,
  Rebalance,
  RebalanceJobParam,
  Renumber,
  Split,
  VersionOnly,
} from "./plans.input.ts";
import { publishPlan, validatePlan } from "./plans.publish.ts";
import { copyPlan, findPlan, listPlans, planGridsWithOutlines, planHistory, planParcels } from "./plans.queries.ts";
import { findJob, startRebalance, stopJob } from "./plans.rebalance.ts";
import { assignParcels, deleteGrid, mergeGrids, renumber, setLock, splitGrid } from "./plans.tools.ts";

const errors = errorsOf({
  403: "Not a planner",
  404: "No such plan or grid",
  409: "The plan changed since the version sent: reload",
  422: "Refused: not a draft, locked grid, other community, …",
});

const Plan = z
  .object({
    id: z.number(),
    subdistrict_code: z.string(),
    name: z.string(),
    status: z.string(),
    version: z.number(),
    based_on: z.number().nullable(),
    owner: z.string().nullable(),
    created_at: z.union([z.string(), z.date()]),
    updated_at: z.union([z.string(), z.date()]),
    valid_from: z.union([z.string(), z.date()]).nullable(),
    valid_to: z.union([z.string(), z.date()]).nullable(),
    published_by: z.string().nullable(),
    publish_reason: z.string().nullable(),
  })
  .openapi("Plan");

const Figures = z
  .object({
    grid_id: z.number(),
    code: z.string(),
    community_code: z.string(),
    name: z.string(),
    locked: z.boolean(),
    households: z.number(),
    entrances: z.number(),
    buildings: z.number(),
    parcels: z.number(),
    area_m2: z.number(),
    perimeter_m: z.number(),
    boundary_on_road_m: z.number(),
    buildings_split: z.number(),
    compounds_split: z.number(),
    band_min: z.number(),
    band_max: z.number(),
    status: z.enum(BAND_STATUSES),
    compactness: z.number(),
    roads_share: z.number(),
    contiguous: z.boolean(),
    pieces: z.array(z.array(z.number())),
  })
  .openapi("GridFigures");

const EditResult = z
  .object({
    version: z.number(),
    grids: z.array(Figures),
    removed: z.array(z.string()),
    undo_available: z.boolean(),
    redo_available: z.boolean(),
  })
  .openapi("EditResult");

const Problem = z.object({
  code: z.string(),
  grid: z.string().optional(),
  zh: z.string(),
  en: z.string(),
  parcels: z.array(z.number()).optional(),
});

/** A warning of the plan, by community, compared with the plan in force; only `new` and `worse` need confirming. */
const Warning = Problem.extend({
  grid: z.string(),
  community_code: z.string(),
  community_zh: z.string(),
  community_en: z.string(),
  amount: z.number(),
  change: z.enum(["new", "worse", "unchanged", "better"]),
}).openapi("PlanWarning");

/** Drafts are unpublished: planners and admins edit them, leaders may look. */
function reader(c: Context<AppEnv>) {
  const p = principalOf(c);
  requireRole(p, "admin", "planner", "leader");
  return p;
}
function editor(c: Context<AppEnv>) {
  requireRole(principalOf(c), "admin", "planner");
  return actorOf(c);
}
async function existing(c: Context<AppEnv>, id: number) {
  const plan = await findPlan(c.get("db"), id);
  if (!plan) throw notFound(`没有编号为 ${id} 的方案`, `no plan ${id}`);
  return plan;
}

const tag = ["plans"];

const RebalanceJobBody = z.object({
  id: z.string(),
  plan_id: z.number(),
  state: z.enum(["running", "done", "failed"]),
  progress: z.object({ stage: z.string(), done: z.number(), total: z.number() }),
  budget_s: z.number(),
  stopping: z.boolean(),
  started_at: z.string(),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), zh: z.string(), en: z.string(), details: z.unknown().optional() }).optional(),
});
const route = routesFor(tag, errors);
const r = {
  list: route("get /plans", {
    summary: "All plans: the published one, drafts, archived",
    responses: { 200: json(z.array(Plan.extend({ grids: z.number() })), "Plans") },
  }),
  create: route("post /plans", {
    summary: "Copy the published plan (or another plan) into a new draft",
    request: jsonBody(CreatePlan),
    responses: { 201: json(z.object({ id: z.number(), version: z.number() }), "The new draft") },
  }),
  one: route("get /plans/{id}", {
    summary: "One plan",
    request: { params: PlanParam },
    responses: { 200: json(Plan, "The plan") },
  }),
  grids: route("get /plans/{id}/grids", {
    summary: "The grids of a plan with their live figures (GeoJSON)",
    request: { params: PlanParam, query: z.object({ community: communityCode.optional() }) },
    responses: {
      200: json(
        z.object({ type: z.literal("FeatureCollection"), version: z.number(), features: z.array(z.unknown()) }),
        "GeoJSON FeatureCollection",
      ),
    },
  }),
  parcels: route("get /plans/{id}/parcels", {
    summary: "The parcels of a plan with their grid, households, building and compound",
    request: { params: PlanParam, query: z.object({ grid: gridCode.optional(), community: communityCode.optional() }) },
    responses: {
      200: json(
        z.array(
          z.object({
            id: z.number(),
            grid: z.string(),
            households: z.number(),
            entrance_id: z.number().nullable(),
            building_id: z.number().nullable(),
            compound_id: z.number().nullable(),
            block_id: z.number(),
            community_code: z.string(),
          }),
        ),
        "Parcels",
      ),
    },
  }),
  history: route("get /plans/{id}/history", {
    summary: "The plan's edits, newest first, with undone ones marked",
    request: { params: PlanParam },
    responses: {
      200: json(
        z.array(
          z.object({
            id: z.number(),
            version: z.number(),
            actor: z.string(),
            at: z.union([z.string(), z.date()]),
            action: z.string(),
            summary: z.unknown(),
            state: z.string(),
            parcels: z.number(),
          }),
        ),
        "History",
      ),
    },
  }),
  validation: route("get /plans/{id}/validation", {
    summary: "What blocks publishing (errors) and the warnings, each new, worse, unchanged or better than in force",
    request: { params: PlanParam },
    responses: {
      200: json(z.object({ errors: z.array(Problem), warnings: z.array(Warning) }), "Validation"),
    },
  }),
  assign: route("post /plans/{id}/assign", {
    summary: "Paint parcels into a grid (or a new grid); returns the figures of the grids that changed",
    request: { params: PlanParam, ...jsonBody(Assign) },
    responses: { 200: json(EditResult, "Applied") },
  }),
  undo: route("post /plans/{id}/undo", {
    summary: "Undo the latest edit",
    request: { params: PlanParam, ...jsonBody(VersionOnly) },
    responses: { 200: json(EditResult, "Undone") },
  }),
  redo: route("post /plans/{id}/redo", {
    summary: "Redo the earliest undone edit",
    request: { params: PlanParam, ...jsonBody(VersionOnly) },
    responses: { 200: json(EditResult, "Redone") },
  }),
  lock: route("post /plans/{id}/grids/{code}/lock", {
    summary: "Lock or unlock a grid: no tool and no rebalance changes a locked grid",
    request: { params: PlanGridParam, ...jsonBody(Lock) },
    responses: { 200: json(EditResult, "Applied") },
  }),
  split: route("post /plans/{id}/grids/{code}/split", {
    summary: "Split a grid along a line drawn across it",
    request: { params: PlanGridParam, ...jsonBody(Split) },
    responses: { 200: json(EditResult, "Applied") },
  }),
  remove: route("post /plans/{id}/grids/{code}/delete", {
    summary: "Delete a grid; its parcels go to a chosen neighbour or to the neighbours they share most boundary with",
    request: { params: PlanGridParam, ...jsonBody(DeleteGrid) },
    responses: { 200: json(EditResult, "Applied") },
  }),
  merge: route("post /plans/{id}/merge", {
    summary: "Merge the second grid into the first; they must share a boundary",
    request: { params: PlanParam, ...jsonBody(Merge) },
    responses: { 200: json(EditResult, "Applied") },
  }),
  renumber: route("post /plans/{id}/renumber", {
    summary: "Recode a community's grids west→east, north→south; returns the code-change table",
    request: { params: PlanParam, ...jsonBody(Renumber) },
    responses: {
      200: json(
        EditResult.extend({
          changes: z.array(
            z.object({ from_code: z.string(), to_code: z.string(), from_name: z.string(), to_name: z.string() }),
          ),
        }),
        "Applied",
      ),
    },
  }),
  publish: route("post /plans/{id}/publish", {
    summary: "Publish after validation; new or worse warnings need confirm and a reason, kept in the audit trail",
    request: { params: PlanParam, ...jsonBody(Publish) },
    responses: {
      200: json(
        z.object({ id: z.number(), version: z.number(), replaced: z.number().nullable(), warnings: z.array(Warning) }),
        "Published",
      ),
    },
  }),
  rebalance: route("post /plans/{id}/rebalance", {
    summary: "Start rebalancing a community (or a selection of its grids) in a worker; poll the job for progress",
    request: { params: PlanParam, ...jsonBody(Rebalance) },
    responses: { 202: json(z.object({ job: z.string() }), "Started") },
  }),
  rebalanceJob: route("get /plans/{id}/rebalance/{job}", {
    summary: "Progress of a rebalance, then its result: the edit it made, metrics and explanations",
    request: { params: RebalanceJobParam },
    responses: { 200: json(RebalanceJobBody, "The job") },
  }),
  stopRebalance: route("post /plans/{id}/rebalance/{job}/stop", {
    summary: "Stop a rebalance's search to the limit: it keeps its best plan so far and applies it as usual",
    request: { params: RebalanceJobParam },
    responses: { 200: json(RebalanceJobBody, "The job, stopping (or already finished)") },
  }),
  compare: route("get /plans/{a}/compare/{b}", {
    summary: "What changes from plan a to plan b: grids added, removed, changed; households and buildings moved",
    request: { params: CompareParam },
    responses: {
      200: json(
        z.object({
          a: z.number(),
          b: z.number(),
          grids: z.unknown(),
          flows: z.array(z.unknown()),
          parcels: z.array(z.number()),
          totals: z.unknown(),
        }),
        "Comparison",
      ),
    },
  }),
  transfersCsv: route("get /plans/{a}/compare/{b}/transfers.csv", {
    summary: "The change list (划转清单) as CSV: parcel, building, entrance, old grid, new grid, households",
    request: { params: CompareParam },
    responses: {
      200: { description: "CSV (UTF-8 with BOM, opens in Excel)", content: { "text/csv": { schema: z.string() } } },
    },
  }),
};

export const plansRoutes = createRouter()
  .openapi(r.list, async (c) => {
    reader(c);
    return c.json(await listPlans(c.get("db")), 200);
  })
  .openapi(r.create, async (c) => {
    const actor = editor(c);
    const { from, name } = c.req.valid("json");
    return c.json(await copyPlan(c.get("db"), from, name, actor), 201);
  })
  .openapi(r.one, async (c) => {
    reader(c);
    return c.json(await existing(c, c.req.valid("param").id), 200);
  })
  .openapi(r.grids, async (c) => {
    reader(c);
    const plan = await existing(c, c.req.valid("param").id);
    const rows = await planGridsWithOutlines(c.get("db"), plan.id, c.req.valid("query").community);
    return c.json(
      {
        type: "FeatureCollection" as const,
        version: plan.version,
        features: rows.map(({ geometry, ...properties }) => ({
          type: "Feature" as const,
          id: properties.code,
          geometry,
          properties,
        })),
      },
      200,
    );
  })
  .openapi(r.parcels, async (c) => {
    reader(c);
    const plan = await existing(c, c.req.valid("param").id);
    return c.json(await planParcels(c.get("db"), plan.id, c.req.valid("query")), 200);
  })
  .openapi(r.history, async (c) => {
    reader(c);
    const plan = await existing(c, c.req.valid("param").id);
    return c.json(await planHistory(c.get("db"), plan.id), 200);
  })
  .openapi(r.validation, async (c) => {
    reader(c);
    const plan = await existing(c, c.req.valid("param").id);
    return c.json(await validatePlan(c.get("db"), plan.id), 200);
  })
  .openapi(r.assign, async (c) => {
    const actor = editor(c);
    return c.json(await assignParcels(c.get("db"), c.req.valid("param").id, c.req.valid("json"), actor), 200);
  })
  .openapi(r.undo, async (c) => {
    const actor = editor(c);
    return c.json(
      await undoRedo(c.get("db"), c.req.valid("param").id, c.req.valid("json").version, "undo", actor),
      200,
    );
  })
  .openapi(r.redo, async (c) => {
    const actor = editor(c);
    return c.json(
      await undoRedo(c.get("db"), c.req.valid("param").id, c.req.valid("json").version, "redo", actor),
      200,
    );
  })
  .openapi(r.lock, async (c) => {
    const actor = editor(c);
    const { id, code } = c.req.valid("param");
    return c.json(await setLock(c.get("db"), id, code, c.req.valid("json"), actor), 200);
  })
  .openapi(r.split, async (c) => {
    const actor = editor(c);
    const { id, code } = c.req.valid("param");
    return c.json(await splitGrid(c.get("db"), id, code, c.req.valid("json"), actor), 200);
  })
  .openapi(r.remove, async (c) => {
    const actor = editor(c);
    const { id, code } = c.req.valid("param");
    return c.json(await deleteGrid(c.get("db"), id, code, c.req.valid("json"), actor), 200);
  })
  .openapi(r.merge, async (c) => {
    const actor = editor(c);
    return c.json(await mergeGrids(c.get("db"), c.req.valid("param").id, c.req.valid("json"), actor), 200);
  })
  .openapi(r.renumber, async (c) => {
    const actor = editor(c);
    return c.json(await renumber(c.get("db"), c.req.valid("param").id, c.req.valid("json"), actor), 200);
  })
  .openapi(r.publish, async (c) => {
    const actor = editor(c);
    return c.json(await publishPlan(c.get("db"), c.req.valid("param").id, c.req.valid("json"), actor), 200);
  })
  .openapi(r.rebalance, async (c) => {
    const actor = editor(c);
    const job = await startRebalance(c.get("db"), c.req.valid("param").id, c.req.valid("json"), actor);
    return c.json({ job: job.id }, 202);
  })
  .openapi(r.rebalanceJob, async (c) => {
    reader(c);
    const { id, job } = c.req.valid("param");
    const found = findJob(id, job);
    if (!found) throw notFound("没有这个自动平衡任务（可能已过期）", "no such rebalance job (it may have expired)");
    return c.json(found, 200);
  })
  .openapi(r.stopRebalance, (c) => {
    editor(c);
    const { id, job } = c.req.valid("param");
    const found = stopJob(id, job);
    if (!found) throw notFound("没有这个自动平衡任务（可能已过期）", "no such rebalance job (it may have expired)");
    return c.json(found, 200);
  })
  .openapi(r.compare, async (c) => {
    reader(c);
    const { a, b } = c.req.valid("param");
    await existing(c, a);
    await existing(c, b);
    return c.json(await comparePlans(c.get("db"), a, b), 200);
  })
  .openapi(r.transfersCsv, async (c) => {
    reader(c);
    const { a, b } = c.req.valid("param");
    await existing(c, a);
    await existing(c, b);
    const rows = await transfers(c.get("db"), a, b);
    const header = [
      "地块 parcel",
      "社区 community",
      "小区 compound",
      "楼栋 building",
      "单元 entrance",
      "户数 households",
      "原网格 from grid",
      "新网格 to grid",
    ];
    const csv = csvText([
      header,
      ...rows.map((t) => [
        t.parcel_id,
        t.community_code,
        t.compound,
        t.building,
        t.entrance,
        t.households,
        t.from_grid,
        t.to_grid,
      ]),
    ]);
    c.header("content-disposition", `attachment; filename="transfers-${a}-${b}.csv"`);
    return c.body(csv, 200, { "content-type": "text/csv; charset=utf-8" });
  });
