import { createRoute, z } from "@hono/zod-openapi";
import { principalOf } from "../../auth/session.ts";
import { toFeatureCollection } from "../../db/postgis.ts";
import { createRouter } from "../../http/router.ts";
import { errorResponses, featureCollection, placeFilter } from "../../http/schemas.ts";
import { listHazards } from "./hazards.queries.ts";

const HazardProps = z.object({
  id: z.number(),
  title: z.string(),
  category: z.string(),
  severity: z.string(),
  status: z.string(),
  reported_at: z.union([z.string(), z.date()]),
  community_code: z.string().nullable(),
  grid_code: z.string().nullable(),
});

const route = createRoute({
  method: "get",
  path: "/hazards",
  tags: ["hazards"],
  summary: "Hazard points (安全隐患点) by box, community or grid",
  request: { query: placeFilter },
  responses: {
    200: {
      description: "GeoJSON FeatureCollection",
      content: { "application/json": { schema: featureCollection(HazardProps, "Hazards") } },
    },
    ...errorResponses,
  },
});

export const hazardsRoutes = createRouter().openapi(route, async (c) => {
  const rows = await listHazards(c.get("db"), principalOf(c), c.req.valid("query"));
  return c.json(toFeatureCollection(rows, "id"), 200);
});
