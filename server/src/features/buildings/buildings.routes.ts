import { z } from "@hono/zod-openapi";
import { principalOf } from "../../auth/session.ts";
import { toFeatureCollection } from "../../db/postgis.ts";
import { cachedAnswer } from "../../http/cached-answer.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorResponses, geoJson, placeFilter } from "../../http/schemas.ts";
import { listBuildings } from "./buildings.queries.ts";

const BuildingProps = z.object({
  id: z.number(),
  name: z.string(),
  kind: z.string(),
  floors: z.number(),
  community_code: z.string(),
  compound_id: z.number().nullable(),
  compound_name: z.string().nullable(),
  households: z.number(),
  entrances: z.number(),
});

const route = routesFor(["territory"], errorResponses);
const api = route("get /buildings", {
  summary: "Buildings (楼栋) with households and entrances, by box, community or grid",
  request: { query: placeFilter },
  responses: {
    200: geoJson(BuildingProps, "Buildings"),
    304: { description: "Not modified (If-None-Match)" },
  },
});

export const buildingsRoutes = createRouter().openapi(api, (c) =>
  cachedAnswer(c, { personal: false }, async () => {
    const rows = await listBuildings(c.get("db"), principalOf(c), c.req.valid("query"));
    return c.json(toFeatureCollection(rows, "id"), 200);
  }),
);
