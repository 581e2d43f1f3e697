import { z } from "@hono/zod-openapi";
import { bboxOf } from "../../db/postgis.ts";
import { notFound } from "../../errors.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorResponses } from "../../http/schemas.ts";

const Subdistrict = z
  .object({
    code: z.string(),
    name: z.string(),
    name_en: z.string().nullable(),
    attribution: z.string(),
    metric_srid: z.number(),
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  })
  .openapi("Subdistrict");

const route = routesFor(["territory"], errorResponses);
const api = route("get /subdistrict", {
  summary: "The subdistrict this server serves: name, extent, attribution",
  responses: {
    200: { description: "The subdistrict", content: { "application/json": { schema: Subdistrict } } },
  },
});

export const subdistrictRoutes = createRouter().openapi(api, async (c) => {
  const row = await c
    .get("db")
    .selectFrom("subdistrict")
    .select(["code", "name", "name_en", "attribution", "metric_srid", bboxOf("geom").as("bbox")])
    .orderBy("code")
    .executeTakeFirst();
  if (!row) throw notFound("尚未载入街道数据", "no subdistrict has been loaded");
  return c.json(row, 200);
});
