import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { asGeoJson, envelope, toFeatureCollection } from "../../db/postgis.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { bbox, errorResponses, geoJson } from "../../http/schemas.ts";

const RoadProps = z.object({ id: z.number(), class: z.string(), name: z.string().nullable() });

const route = routesFor(["basemap"], errorResponses);
const api = route("get /roads", {
  summary: "Road centre lines by class, for the offline basemap",
  request: { query: z.object({ bbox: bbox.optional() }) },
  responses: {
    200: geoJson(RoadProps, "Roads"),
  },
});

export const roadsRoutes = createRouter().openapi(api, async (c) => {
  const { bbox: box } = c.req.valid("query");
  let q = c
    .get("db")
    .selectFrom("road as r")
    .select(["r.id", "r.class", "r.name", asGeoJson("r.geom").as("geometry")])
    .orderBy("r.id");
  if (box) q = q.where(sql<boolean>`r.geom && ${envelope(box)}`);
  return c.json(toFeatureCollection(await q.execute(), "id"), 200);
});
