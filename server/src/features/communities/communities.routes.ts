import { createRoute, z } from "@hono/zod-openapi";
import { principalOf } from "../../auth/session.ts";
import { toFeatureCollection } from "../../db/postgis.ts";
import { createRouter } from "../../http/router.ts";
import { geoJson } from "../../http/schemas.ts";
import { listCommunities } from "./communities.queries.ts";

const CommunityProps = z.object({
  code: z.string(),
  name: z.string(),
  name_en: z.string().nullable(),
  band_min: z.number(),
  band_max: z.number(),
  grids: z.number(),
  households: z.number(),
});

const route = createRoute({
  method: "get",
  path: "/communities",
  tags: ["territory"],
  summary: "The communities (社区) with their boundaries, household band and totals",
  responses: {
    200: geoJson(CommunityProps, "Communities"),
  },
});

export const communitiesRoutes = createRouter().openapi(route, async (c) => {
  const rows = await listCommunities(c.get("db"), principalOf(c));
  return c.json(toFeatureCollection(rows, "code"), 200);
});
