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
import { errorJson, geoJson, geometry, json, jsonBody } from "../../http/schemas.ts";
import {
  CategoryParam,
  CreateInspection,
  INSPECTION_STATUSES,
  UpdateVenueCategory,
  VenueClusterQuery,
  VenueFilter,
  VenueParam,
} from "./venues.input.ts";
import {
  findVenue,
  listVenueCategories,
  listVenues,
  recordInspection,
  updateVenueCategory,
  venueClusters,
} from "./venues.queries.ts";

const timestamp = z.union([z.string(), z.date()]);
const InspectionStatus = z.enum(INSPECTION_STATUSES);

const VenueProps = z.object({
  id: z.number(),
  name: z.string(),
  category: z.string(),
  category_name_zh: z.string(),
  category_name_en: z.string(),
  address: z.string().nullable(),
  community_code: z.string().nullable(),
  grid_code: z.string().nullable(),
  last_inspected_on: z.string().nullable(),
  last_result: z.string().nullable(),
  due_on: z.string().nullable().openapi({ description: "Last inspection + the category's interval" }),
  inspection_status: z.string().openapi({ description: "never | overdue | due (within a week) | ok | closed" }),
  open_hazards: z.number(),
});

const Inspection = z
  .object({
    id: z.number(),
    inspected_on: z.string(),
    inspector_id: z.number().nullable(),
    inspector_name: z.string().nullable(),
    inspector_role: z.string().nullable(),
    result: z.string(),
    note: z.string().nullable(),
    follow_up: z.string().nullable(),
    joint_with_police: z.boolean(),
  })
  .openapi("Inspection");

const Venue = z
  .object({
    type: z.literal("Feature"),
    id: z.number(),
    geometry,
    properties: VenueProps.extend({
      inspection_status: InspectionStatus,
      inspection_interval_days: z.number(),
      inspections: z.array(Inspection),
      hazards: z.array(
        z.object({
          id: z.number(),
          title: z.string(),
          category: z.string(),
          severity: z.string(),
          status: z.string(),
          reported_at: timestamp,
        }),
      ),
      may_inspect: z.boolean().openapi({ description: "Whether the signed-in account may record an inspection here" }),
    }),
  })
  .openapi("Venue");

const ClusterProps = z.object({
  count: z.number(),
  id: z.number().nullable().openapi({ description: "The venue, when the cell holds only one" }),
  label: z.string().nullable(),
  category: z.string().openapi({ description: "The commonest category in the cell" }),
  status: z.string().nullable(),
  overdue: z.number().openapi({ description: "Venues overdue or never inspected" }),
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});

const VenueCategory = z
  .object({
    code: z.string(),
    name_zh: z.string(),
    name_en: z.string(),
    inspection_interval_days: z.number(),
    version: z.number().openapi({ description: "Send it back with a change: 409 if the category changed since" }),
    venues: z.number(),
  })
  .openapi("VenueCategory");

const readErrors = {
  400: errorJson("Bad input"),
  401: errorJson("Not signed in"),
  404: errorJson("No such venue within reach"),
};
const writeErrors = {
  ...readErrors,
  403: errorJson("The role may not record here"),
  422: errorJson("An inspector who is not of the venue's community"),
};
const tags = ["venues"];

const read = routesFor(tags, readErrors);
const write = routesFor(tags, writeErrors);
const r = {
  list: read("get /venues", {
    summary:
      "Venues (场所) with their last inspection and due state, filtered by place, category, status, date and text",
    request: { query: VenueFilter },
    responses: {
      200: geoJson(VenueProps, "Venues"),
      304: { description: "Not modified (If-None-Match)" },
    },
  }),
  clusters: read("get /venues/clusters", {
    summary: "The filtered venues gathered into screen cells at a zoom: at most one point per cell",
    request: { query: VenueClusterQuery },
    responses: {
      200: geoJson(ClusterProps, "VenueClusters"),
    },
  }),
  one: read("get /venues/{id}", {
    summary: "One venue: details, inspection history and the hazards found there",
    request: { params: VenueParam },
    responses: { 200: json(Venue, "The venue") },
  }),
  inspect: write("post /venues/{id}/inspections", {
    summary: "Record an inspection of a venue, with the hazards it found",
    request: { params: VenueParam, ...jsonBody(CreateInspection) },
    responses: {
      201: json(
        z.object({ inspection_id: z.number(), hazards: z.array(z.number()), venue: Venue }),
        "Recorded: the new inspection, the hazards raised and the venue as it now stands",
      ),
    },
  }),
  categories: createRoute({
    method: "get",
    path: "/venue-categories",
    tags,
    summary: "Venue categories with their inspection intervals",
    responses: { 200: json(z.array(VenueCategory), "Categories"), 401: errorJson("Not signed in") },
  }),
  updateCategory: createRoute({
    method: "patch",
    path: "/venue-categories/{code}",
    tags,
    summary: "Set a category's inspection interval (admins and planners)",
    request: { params: CategoryParam, ...jsonBody(UpdateVenueCategory) },
    responses: {
      200: json(VenueCategory, "Changed"),
      400: errorJson("Bad input"),
      401: errorJson("Not signed in"),
      403: errorJson("Only admins and planners set intervals"),
      404: errorJson("No such category"),
      409: errorJson("Changed by someone else since the version sent (version_conflict)"),
      428: errorJson("A change sent without the version it was made against (version_required)"),
    },
  }),
};

/** Unknown category codes in a filter are a mistake worth saying, not an empty map. */
async function checkCodes(db: Db, codes?: string[]) {
  if (!codes?.length) return;
  const known = new Set((await db.selectFrom("venue_category").select("code").execute()).map((r) => r.code));
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length) {
    const all = [...known].sort().join(", ");
    throw badRequest(
      "category",
      `没有类别 ${unknown.join("、")}，可选：${all}`,
      `no category ${unknown.join(", ")}; one of: ${all}`,
    );
  }
}

function acting(c: Context<AppEnv>) {
  return { p: principalOf(c), actor: actorOf(c) };
}

export const venuesRoutes = createRouter()
  .openapi(r.list, (c) =>
    cachedAnswer(c, { personal: false }, async () => {
      const f = c.req.valid("query");
      await checkCodes(c.get("db"), f.category);
      const rows = await listVenues(c.get("db"), principalOf(c), f);
      return c.json(toFeatureCollection(rows, "id"), 200);
    }),
  )
  .openapi(r.clusters, async (c) => {
    const { zoom, ...f } = c.req.valid("query");
    await checkCodes(c.get("db"), f.category);
    const features = await venueClusters(c.get("db"), principalOf(c), f, zoom);
    return c.json({ type: "FeatureCollection" as const, features }, 200);
  })
  .openapi(r.one, async (c) => c.json(await findVenue(c.get("db"), principalOf(c), c.req.valid("param").id), 200))
  .openapi(r.inspect, async (c) => {
    const { p, actor } = acting(c);
    requireRole(p, "admin", "secretary", "worker");
    return c.json(await recordInspection(c.get("db"), p, actor, c.req.valid("param").id, c.req.valid("json")), 201);
  })
  .openapi(r.categories, async (c) => c.json(await listVenueCategories(c.get("db")), 200))
  .openapi(r.updateCategory, async (c) => {
    const { p, actor } = acting(c);
    requireRole(p, "admin", "planner");
    const { code } = c.req.valid("param");
    return c.json(await updateVenueCategory(c.get("db"), actor, code, c.req.valid("json")), 200);
  });
