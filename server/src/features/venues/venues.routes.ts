import { createRoute, z } from "@hono/zod-openapi";
import { principalOf } from "../../auth/session.ts";
import { toFeatureCollection } from "../../db/postgis.ts";
import { createRouter } from "../../http/router.ts";
import { errorResponses, featureCollection, placeFilter } from "../../http/schemas.ts";
import { listVenues } from "./venues.queries.ts";

const VenueProps = z.object({
  id: z.number(),
  name: z.string(),
  category: z.string(),
  category_name_zh: z.string(),
  category_name_en: z.string(),
  address: z.string().nullable(),
  community_code: z.string().nullable(),
  grid_code: z.string().nullable(),
});

const route = createRoute({
  method: "get",
  path: "/venues",
  tags: ["venues"],
  summary: "Venues (场所) by box, community or grid",
  request: { query: placeFilter },
  responses: {
    200: {
      description: "GeoJSON FeatureCollection",
      content: { "application/json": { schema: featureCollection(VenueProps, "Venues") } },
    },
    ...errorResponses,
  },
});

export const venuesRoutes = createRouter().openapi(route, async (c) => {
  const rows = await listVenues(c.get("db"), principalOf(c), c.req.valid("query"));
  return c.json(toFeatureCollection(rows, "id"), 200);
});
