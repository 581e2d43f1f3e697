import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { forbidden, isAdmin, type Principal } from "../../auth/principal.ts";
import { actorOf, principalOf } from "../../auth/session.ts";
import { DomainError, noSuchGrid, notFound } from "../../errors.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorsOf, json, jsonBody } from "../../http/schemas.ts";
import { Assign, AssignmentParam, CreateWorker, ListQuery, UpdateWorker, WorkerParam } from "./workers.input.ts";
import {
  assign,
  averages,
  createWorker,
  findPublishedGrid,
  findWorker,
  listWorkers,
  unassign,
  updateWorker,
  type WorkerRow,
} from "./workers.queries.ts";

const errors = errorsOf({
  403: "Not a role that manages workers",
  404: "No such worker, community or grid (or not in your scope)",
  422: "Refused: retired worker, grid of another community, dates out of order",
  409: "Changed by someone else since the version sent (version_conflict)",
  428: "A change sent without the version it was made against (version_required)",
});

const Load = z.object({ grids: z.number(), households: z.number(), entrances: z.number() });
const Worker = z
  .object({
    id: z.number(),
    community_code: z.string(),
    role: z.string(),
    name: z.string(),
    phone: z.string().nullable().optional(),
    started_on: z.string().optional(),
    retired_on: z.string().nullable().optional(),
    version: z.number().openapi({ description: "Send it back with a change: 409 if the worker changed since" }),
    grids: z.array(z.string()),
    load: Load,
  })
  .openapi("Worker");
const Average = z.object({ workers: z.number(), grids: z.number(), households: z.number(), entrances: z.number() });
const WorkerList = z
  .object({
    view: z.enum(["full", "names"]),
    workers: z.array(Worker),
    averages: z.record(z.string(), z.record(z.string(), Average)),
  })
  .openapi("Workers");

const tags = ["workers"];
const route = routesFor(tags, errors);
const routes = {
  list: route("get /workers", {
    summary: "Workers with their grids and load against their community's average for the role",
    request: { query: ListQuery },
    responses: { 200: json(WorkerList, "Workers") },
  }),
  create: route("post /workers", {
    summary: "Add a worker to a community (its secretary or an admin)",
    request: jsonBody(CreateWorker),
    responses: { 201: json(Worker, "The new worker") },
  }),
  update: route("patch /workers/{id}", {
    summary: "Edit a worker, or retire them (retired_on ends their assignments) or reinstate them (retired_on null)",
    request: { params: WorkerParam, ...jsonBody(UpdateWorker) },
    responses: { 200: json(Worker, "The worker") },
  }),
  assign: route("post /workers/{id}/assignments", {
    summary: "Assign a worker to a grid of the published plan in their community",
    request: { params: WorkerParam, ...jsonBody(Assign) },
    responses: {
      200: json(Worker, "Already assigned: nothing changed"),
      201: json(Worker, "Assigned"),
    },
  }),
  unassign: route("delete /workers/{id}/assignments/{code}", {
    summary: "End a worker's assignment to a grid",
    request: { params: AssignmentParam },
    responses: { 200: json(Worker, "The worker without the grid") },
  }),
};

/**
 * Staff records are personal data, seen by those who manage them: an admin (all communities) and a community's
 * secretary (theirs). Planners see names, roles and grids without phones or dates; a worker sees only their own
 * record; leaders see counts in the workspace status, not records.
 */
type Reach = { view: "full" | "names"; communities: readonly string[] | undefined; ids?: readonly number[] };
function reach(p: Principal): Reach {
  if (isAdmin(p)) return { view: "full", communities: undefined };
  if (p.communities.length) return { view: "full", communities: p.communities };
  if (p.roles.includes("planner")) return { view: "names", communities: undefined };
  if (p.workerIds.length) return { view: "full", communities: undefined, ids: p.workerIds };
  throw forbidden();
}

function shown(w: WorkerRow, view: "full" | "names") {
  if (view === "full") return w;
  const { phone: _phone, started_on: _started, retired_on: _retired, ...rest } = w;
  return rest;
}

/** Writers: admins anywhere, secretaries in their own community; a community out of scope answers 404. */
function writer(c: Context<AppEnv>) {
  const p = principalOf(c);
  if (!isAdmin(p) && !p.roles.includes("secretary")) throw forbidden();
  return {
    p,
    actor: actorOf(c),
    manages: (community: string) => isAdmin(p) || p.communities.includes(community),
  };
}

const noWorker = (id: number) => notFound(`没有编号为 ${id} 的人员`, `no worker ${id}`);

async function managedWorker(c: Context<AppEnv>, id: number) {
  const w = writer(c);
  const worker = await findWorker(c.get("db"), id);
  if (!worker || !w.manages(worker.community_code)) throw noWorker(id);
  return { ...w, worker };
}

async function one(c: Context<AppEnv>, id: number): Promise<WorkerRow> {
  const [row] = await listWorkers(c.get("db"), { ids: [id], includeRetired: true });
  if (!row) throw noWorker(id);
  return row;
}

export const workersRoutes = createRouter()
  .openapi(routes.list, async (c) => {
    const p = principalOf(c);
    const { community, include_retired } = c.req.valid("query");
    const r = reach(p);
    if (community && r.communities && !r.communities.includes(community)) {
      throw notFound(`没有编码为 ${community} 的社区`, `no community with code ${community}`);
    }
    const communities = community ? [community] : r.communities;
    const rows = await listWorkers(c.get("db"), {
      ...(communities ? { communities } : {}),
      ...(r.ids ? { ids: r.ids } : {}),
      includeRetired: include_retired,
    });
    // Averages over the whole community even when the reader sees only their own record.
    const all = r.ids
      ? await listWorkers(c.get("db"), { communities: [...new Set(rows.map((w) => w.community_code))] })
      : rows;
    return c.json({ view: r.view, workers: rows.map((w) => shown(w, r.view)), averages: averages(all) }, 200);
  })
  .openapi(routes.create, async (c) => {
    const w = writer(c);
    const input = c.req.valid("json");
    if (!w.manages(input.community_code)) {
      throw notFound(`没有编码为 ${input.community_code} 的社区`, `no community with code ${input.community_code}`);
    }
    const exists = await c
      .get("db")
      .selectFrom("community")
      .select("code")
      .where("code", "=", input.community_code)
      .executeTakeFirst();
    if (!exists)
      throw notFound(`没有编码为 ${input.community_code} 的社区`, `no community with code ${input.community_code}`);
    const id = await createWorker(c.get("db"), { ...input, phone: input.phone ?? null }, w.actor);
    return c.json(await one(c, id), 201);
  })
  .openapi(routes.update, async (c) => {
    const { id } = c.req.valid("param");
    const { actor } = await managedWorker(c, id);
    await updateWorker(c.get("db"), id, c.req.valid("json"), localToday(), actor);
    return c.json(await one(c, id), 200);
  })
  .openapi(routes.assign, async (c) => {
    const { id } = c.req.valid("param");
    const { grid_code } = c.req.valid("json");
    const { worker, actor, manages } = await managedWorker(c, id);
    const grid = await findPublishedGrid(c.get("db"), grid_code);
    if (!grid?.community_code || !manages(grid.community_code)) {
      throw noSuchGrid();
    }
    if (grid.community_code !== worker.community_code) {
      throw new DomainError(
        "precondition",
        "other_community",
        `网格 ${grid_code} 不属于该人员所在社区`,
        `grid ${grid_code} is not in the worker's community`,
        "grid_code",
      );
    }
    if (worker.retired_on !== null) {
      throw new DomainError(
        "precondition",
        "retired",
        `${worker.name} 已离岗，不能分配网格`,
        `${worker.name} is retired`,
        "id",
      );
    }
    const created = await assign(c.get("db"), id, grid_code, worker.community_code, actor);
    const row = await one(c, id);
    return created ? c.json(row, 201) : c.json(row, 200);
  })
  .openapi(routes.unassign, async (c) => {
    const { id, code } = c.req.valid("param");
    const { worker, actor } = await managedWorker(c, id);
    const removed = await unassign(c.get("db"), id, code, worker.community_code, actor);
    if (!removed) {
      throw notFound(`${worker.name} 未分配到网格 ${code}`, `worker ${id} is not assigned to grid ${code}`);
    }
    return c.json(await one(c, id), 200);
  });

/** The calendar day in Tongliao: a retirement cannot be dated after it. */
function localToday(now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(now);
}
