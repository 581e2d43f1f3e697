import { createRoute, z } from "@hono/zod-openapi";
import { forbidden, seesCameras } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { toFeatureCollection } from "../../db/postgis.ts";
import { createRouter } from "../../http/router.ts";
import { errorResponses, featureCollection, placeFilter } from "../../http/schemas.ts";
import { listCameras } from "./cameras.queries.ts";

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
});

const route = createRoute({
  method: "get",
  path: "/cameras",
  tags: ["cameras"],
  summary: "Public video cameras (监控点位) by box, community or grid",
  request: { query: placeFilter },
  responses: {
    200: {
      description: "GeoJSON FeatureCollection",
      content: { "application/json": { schema: featureCollection(CameraProps, "Cameras") } },
    },
    ...errorResponses,
  },
});

export const camerasRoutes = createRouter().openapi(route, async (c) => {
  const p = principalOf(c);
  if (!seesCameras(p)) throw forbidden();
  const rows = await listCameras(c.get("db"), p, c.req.valid("query"));
  return c.json(toFeatureCollection(rows, "id"), 200);
});
