import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireRole } from "../../auth/principal.ts";
import { actorOf, principalOf } from "../../auth/session.ts";
import type { Db } from "../../db/db.ts";
import { toFeatureCollection } from "../../db/postgis.ts";
import { badRequest } from "../../errors.ts";
import { cachedAnswer } from "../../http/cached-answer.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorJson, featureCollection, geometry, json, jsonBody } from "../../http/schemas.ts";
import {
  CreateHazard,
  HAZARD_STATUSES,
  HazardClusterQuery,
  HazardFilter,
  HazardParam,
  StatsQuery,
  Transition,
} from "./hazards.input.ts";
import {
  createHazard,
  findHazard,
  hazardClusters,
  hazardHistory,
  listHazardCategories,
  listHazards,
  moveHazard,
} from "./hazards.queries.ts";
import { hazardStats } from "./hazards.stats.ts";

const timestamp = z.union([z.string(), z.date()]);
const Status = z.enum(HAZARD_STATUSES);

const HazardProps = z.object({
  id: z.number(),
  title: z.string(),
  category: z.string(),
  category_name_zh: z.string(),
  category_name_en: z.string(),
  severity: z.string(),
  status: z.string(),
  reported_at: timestamp,
  resolved_at: timestamp.nullable().openapi({ description: "When it was last resolved, if resolved or verified" }),
  venue_id: z.number().nullable(),
  community_code: z.string().nullable(),
  grid_code: z.string().nullable(),
});

const PhotoRef = z
  .object({ id: z.number(), url: z.string(), transition_id: z.number().nullable() })
  .openapi("HazardPhoto", { description: "GET url for the image (JPEG, PNG or WebP)" });

const TeamMember = z.object({ id: z.number(), name: z.string(), role: z.string() });

const Hazard = z
  .object({
    type: z.literal("Feature"),
    id: z.number(),
    geometry,
    properties: HazardProps.extend({
      status: Status,
      venue_name: z.string().nullable(),
      community_name: z.string().nullable(),
      community_name_en: z.string().nullable(),
      note: z.string().nullable(),
      attachments: z.array(z.unknown()).openapi({ description: "References to photos and documents (later)" }),
      photos: z.array(PhotoRef).openapi({ description: "Photos of the report (transition_id null) and of its moves" }),
      team: z.array(TeamMember).openapi({ description: "The team of the hazard's grid, who remediate it" }),
      allowed_transitions: z
        .array(Status)
        .openapi({ description: "The moves the signed-in account may make now (lifecycle and role)" }),
    }),
  })
  .openapi("Hazard");

const HistoryEntry = z
  .object({
    id: z.number(),
    from_status: z.string().nullable(),
    to_status: z.string(),
    at: timestamp,
    actor: z.string(),
    actor_username: z.string().nullable(),
    note: z.string().nullable(),
    photos: z.array(PhotoRef),
  })
  .openapi("HazardTransition");

const ClusterProps = z.object({
  count: z.number(),
  id: z.number().nullable().openapi({ description: "The hazard, when the cell holds only one" }),
  label: z.string().nullable(),
  category: z.string().nullable(),
  severity: z.string().openapi({ description: "The worst severity in the cell" }),
  status: z.string().nullable(),
  open: z.number(),
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

const Stats = z
  .object({
    counts: z.array(
      z.object({ community_code: z.string().nullable(), category: z.string(), status: z.string(), count: z.number() }),
    ),
    total: z.number(),
    open: z.number(),
    remediation: z.object({
      count: z.number(),
      median_days: z.number().nullable(),
      longest_days: z.number().nullable(),
      longest_id: z.number().nullable(),
    }),
    months: z.array(z.object({ month: z.string(), opened: z.number(), resolved: z.number(), verified: z.number() })),
    venues: z.array(
      z.object({
        category: z.string(),
        name_zh: z.string(),
        name_en: z.string(),
        inspection_interval_days: z.number(),
        venues: z.number(),
        overdue: z.number(),
        never: z.number(),
        due: z.number(),
        closed: z.number(),
      }),
    ),
  })
  .openapi("HazardStats");

const readErrors = {
  400: errorJson("Bad input"),
  401: errorJson("Not signed in"),
  404: errorJson("No such hazard within reach"),
};
const writeErrors = {
  ...readErrors,
  403: errorJson("The role may not record here, or this move is the office's"),
  409: errorJson("The hazard moved on meanwhile"),
  422: errorJson("Outside the subdistrict, or a move the lifecycle forbids (the allowed ones are named)"),
};
const tags = ["hazards"];

const read = routesFor(tags, readErrors);
const write = routesFor(tags, writeErrors);
const r = {
  list: read("get /hazards", {
    summary: "Hazard points (安全隐患点), filtered by place, category, status, severity, report date and text",
    request: { query: HazardFilter },
    responses: {
      200: json(featureCollection(HazardProps, "Hazards"), "GeoJSON FeatureCollection"),
      304: { description: "Not modified (If-None-Match)" },
    },
  }),
  clusters: read("get /hazards/clusters", {
    summary: "The filtered hazards gathered into screen cells at a zoom: at most one point per cell",
    request: { query: HazardClusterQuery },
    responses: {
      200: json(featureCollection(ClusterProps, "HazardClusters"), "GeoJSON FeatureCollection"),
    },
  }),
  one: read("get /hazards/{id}", {
    summary: "One hazard: details, its grid's team and the moves the signed-in account may make",
    request: { params: HazardParam },
    responses: { 200: json(Hazard, "The hazard") },
  }),
  history: read("get /hazards/{id}/history", {
    summary: "The life of a hazard: every move, when and by whom, oldest first",
    request: { params: HazardParam },
    responses: { 200: json(z.array(HistoryEntry), "Transitions") },
  }),
  create: write("post /hazards", {
    summary: "Report a hazard at a point: its parcel, community and grid are found from the point (published plan)",
    request: jsonBody(CreateHazard),
    responses: { 201: json(Hazard, "Reported") },
  }),
  move: write("post /hazards/{id}/transitions", {
    summary:
      "Move a hazard along its lifecycle (reported → assigned → in_progress → resolved → verified; reopen from resolved or verified)",
    request: { params: HazardParam, ...jsonBody(Transition) },
    responses: {
      200: json(z.object({ hazard: Hazard, history: z.array(HistoryEntry) }), "Moved"),
    },
  }),
  categories: createRoute({
    method: "get",
    path: "/hazard-categories",
    tags,
    summary: "Hazard categories with their names",
    responses: {
      200: json(z.array(z.object({ code: z.string(), name_zh: z.string(), name_en: z.string() })), "Categories"),
      401: errorJson("Not signed in"),
    },
  }),
  stats: createRoute({
    method: "get",
    path: "/stats/hazards",
    tags: ["hazards", "stats"],
    summary:
      "Statistics under the map's filters: counts per community, category and status; time to remediate; overdue venues; per month",
    request: { query: StatsQuery },
    responses: { 200: json(Stats, "Figures"), ...readErrors },
  }),
};

/** Unknown category codes in a filter are a mistake worth saying, not an empty map. */
async function checkCodes(db: Db, table: "hazard_category" | "venue_category", field: string, codes?: string[]) {
  if (!codes?.length) return;
  const known = new Set((await db.selectFrom(table).select("code").execute()).map((r) => r.code));
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length) {
    const all = [...known].sort().join(", ");
    throw badRequest(
      field,
      `没有类别 ${unknown.join("、")}，可选：${all}`,
      `no category ${unknown.join(", ")}; one of: ${all}`,
    );
  }
}

/** Admins, secretaries and workers record; planners and leaders read only. */
function recorder(c: Context<AppEnv>) {
  const p = principalOf(c);
  requireRole(p, "admin", "secretary", "worker");
  return { p, actor: actorOf(c) };
}

export const hazardsRoutes = createRouter()
  .openapi(r.list, (c) =>
    cachedAnswer(c, { personal: false }, async () => {
      const f = c.req.valid("query");
      await checkCodes(c.get("db"), "hazard_category", "category", f.category);
      const rows = await listHazards(c.get("db"), principalOf(c), f);
      return c.json(toFeatureCollection(rows, "id"), 200);
    }),
  )
  .openapi(r.clusters, async (c) => {
    const { zoom, ...f } = c.req.valid("query");
    await checkCodes(c.get("db"), "hazard_category", "category", f.category);
    const features = await hazardClusters(c.get("db"), principalOf(c), f, zoom);
    return c.json({ type: "FeatureCollection" as const, features }, 200);
  })
  .openapi(r.categories, async (c) => c.json(await listHazardCategories(c.get("db")), 200))
  .openapi(r.stats, async (c) => {
    const f = c.req.valid("query");
    await checkCodes(c.get("db"), "hazard_category", "category", f.category);
    await checkCodes(c.get("db"), "venue_category", "venue_category", f.venue_category);
    return c.json(await hazardStats(c.get("db"), principalOf(c), f), 200);
  })
  .openapi(r.one, async (c) => c.json(await findHazard(c.get("db"), principalOf(c), c.req.valid("param").id), 200))
  .openapi(r.history, async (c) => {
    const { id } = c.req.valid("param");
    // Reading the hazard first answers 404 for one outside the principal's reach.
    await findHazard(c.get("db"), principalOf(c), id);
    return c.json(await hazardHistory(c.get("db"), id), 200);
  })
  .openapi(r.create, async (c) => {
    const { p, actor } = recorder(c);
    return c.json(await createHazard(c.get("db"), p, actor, c.req.valid("json")), 201);
  })
  .openapi(r.move, async (c) => {
    const { p, actor } = recorder(c);
    return c.json(await moveHazard(c.get("db"), p, actor, c.req.valid("param").id, c.req.valid("json")), 200);
  });
