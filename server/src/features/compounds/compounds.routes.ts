import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { scopeCondition } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { asGeoJson, envelope, toFeatureCollection } from "../../db/postgis.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { bbox, communityCode, errorResponses, geoJson } from "../../http/schemas.ts";

const CompoundProps = z.object({
  id: z.number(),
  name: z.string(),
  kind: z.string(),
  community_code: z.string(),
  households: z.number(),
});

const route = routesFor(["territory"], errorResponses);
const api = route("get /compounds", {
  summary: "Compounds (小区/院落) with their households",
  request: { query: z.object({ bbox: bbox.optional(), community: communityCode.optional() }) },
  responses: {
    200: geoJson(CompoundProps, "Compounds"),
  },
});

export const compoundsRoutes = createRouter().openapi(api, async (c) => {
  const { bbox: box, community } = c.req.valid("query");
  let q = c
    .get("db")
    .selectFrom("compound as k")
    .select([
      "k.id",
      "k.name",
      "k.kind",
      "k.community_code",
      sql<number>`(select coalesce(sum(e.households), 0) from entrance e join building b on b.id = e.building_id
                   where b.compound_id = k.id)::int`.as("households"),
      asGeoJson("k.geom").as("geometry"),
    ])
    .where(scopeCondition(principalOf(c), { community: "k.community_code" }))
    .orderBy("k.id");
  if (box) q = q.where(sql<boolean>`k.geom && ${envelope(box)}`);
  if (community) q = q.where("k.community_code", "=", community);
  return c.json(toFeatureCollection(await q.execute(), "id"), 200);
});
