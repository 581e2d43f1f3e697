import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { asGeoJson, envelope, toFeatureCollection } from "../../db/postgis.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { bbox, errorResponses, geoJson } from "../../http/schemas.ts";

const WaterProps = z.object({ id: z.number(), kind: z.string(), name: z.string().nullable() });

const route = routesFor(["basemap"], errorResponses);
const api = route("get /water", {
  summary: "Rivers and other water areas, for the offline basemap",
  request: { query: z.object({ bbox: bbox.optional() }) },
  responses: {
    200: geoJson(WaterProps, "Water"),
  },
});

export const waterRoutes = createRouter().openapi(api, async (c) => {
  const { bbox: box } = c.req.valid("query");
  let q = c
    .get("db")
    .selectFrom("water as w")
    .select(["w.id", "w.kind", "w.name", asGeoJson("w.geom").as("geometry")])
    .orderBy("w.id");
  if (box) q = q.where(sql<boolean>`w.geom && ${envelope(box)}`);
  return c.json(toFeatureCollection(await q.execute(), "id"), 200);
});
