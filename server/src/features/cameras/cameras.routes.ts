import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { forbidden, requireRole, seesCameras } from "../../auth/principal.ts";
import { actorOf, principalOf } from "../../auth/session.ts";
import { toFeatureCollection } from "../../db/postgis.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorsOf, geoJson, geometry, json, jsonBody } from "../../http/schemas.ts";
import { CameraListQuery, CameraParam, CreateCamera, UpdateCamera } from "./cameras.input.ts";
import { createCamera, deleteCamera, listCameras, updateCamera } from "./cameras.queries.ts";
import { inCoverageTransaction } from "./coverage.queries.ts";
import { GridCoverageBoth } from "./coverage.schemas.ts";
import { refreshViews } from "./coverage.views.ts";

const CameraProps = z.object({
  id: z.number(),
  name: z.string(),
  type: z.string(),
  status: z.string(),
  bearing_deg: z.number(),
  view_width_deg: z.number(),
  range_m: z.number(),
  mount_height_m: z.number(),
  defaulted: z.array(z.string()),
  site: z.string(),
  community_code: z.string().nullable(),
  grid_code: z.string().nullable(),
  version: z.number().openapi({ description: "Send it back with a change: 409 if the camera changed since" }),
  view: geometry
    .nullable()
    .optional()
    .openapi({ description: "With views=true: what the camera sees, a polygon cut by the buildings in front of it" }),
  view_area_m2: z.number().nullable().optional(),
});

const Camera = z
  .object({ type: z.literal("Feature"), id: z.number(), geometry, properties: CameraProps })
  .openapi("Camera");

const errors = errorsOf({
  403: "The role cannot change this camera",
  404: "No such camera, or not in the secretary's community",
  409: "Changed by someone else since the version sent (version_conflict); only planned cameras can be deleted",
  428: "A change sent without the version it was made against (version_required)",
});

const Change = z
  .object({ camera: Camera, grids: z.array(GridCoverageBoth) })
  .openapi("CameraChange", { description: "The camera with its new view, and the coverage of the grids it affects" });

const tags = ["cameras"];
const route = routesFor(tags, errors);
const r = {
  list: route("get /cameras", {
    summary: "Public video cameras (监控点位) by box, community or grid; with views=true, what each one sees",
    request: { query: CameraListQuery },
    responses: {
      200: geoJson(CameraProps, "Cameras"),
    },
  }),
  create: route("post /cameras", {
    summary: "Place a planned camera; returns its view and the new coverage of the grids it reaches",
    request: jsonBody(CreateCamera),
    responses: { 201: json(Change, "Created") },
  }),
  update: route("patch /cameras/{id}", {
    summary: "Move, turn, widen, lengthen or change the status of a camera; returns its view and affected coverage",
    request: { params: CameraParam, ...jsonBody(UpdateCamera) },
    responses: { 200: json(Change, "Changed") },
  }),
  remove: route("delete /cameras/{id}", {
    summary: "Remove a planned camera; returns the coverage of the grids it reached",
    request: {
      params: CameraParam,
      query: z.object({
        version: z.coerce
          .number()
          .int()
          .positive()
          .max(2_000_000_000)
          .optional()
          .openapi({ description: "The version the removal was decided on: required (428 without it), 409 if stale" }),
      }),
    },
    responses: {
      200: json(z.object({ id: z.number(), grids: z.array(GridCoverageBoth) }), "Removed"),
    },
  }),
};

/**
 * Who may change cameras: admins and planners any camera; secretaries plan cameras in their own community
 * (place, move, turn and remove cameras with status planned — a what-if that changes nothing built); leaders
 * read only; workers see no cameras at all.
 */
function editor(c: Context<AppEnv>) {
  const p = principalOf(c);
  requireRole(p, "admin", "planner", "secretary");
  return { p, actor: actorOf(c) };
}

export const camerasRoutes = createRouter()
  .openapi(r.list, async (c) => {
    const p = principalOf(c);
    if (!seesCameras(p)) throw forbidden();
    const { views, ...filter } = c.req.valid("query");
    const rows = await inCoverageTransaction(c.get("db"), async (trx) => {
      if (views) await refreshViews(trx);
      return listCameras(trx, p, filter, { views });
    });
    return c.json(toFeatureCollection(rows, "id"), 200);
  })
  .openapi(r.create, async (c) => {
    const { p, actor } = editor(c);
    return c.json(await createCamera(c.get("db"), p, actor, c.req.valid("json")), 201);
  })
  .openapi(r.update, async (c) => {
    const { p, actor } = editor(c);
    return c.json(await updateCamera(c.get("db"), p, actor, c.req.valid("param").id, c.req.valid("json")), 200);
  })
  .openapi(r.remove, async (c) => {
    const { p, actor } = editor(c);
    const { id } = c.req.valid("param");
    return c.json(await deleteCamera(c.get("db"), p, actor, id, c.req.valid("query").version), 200);
  });
