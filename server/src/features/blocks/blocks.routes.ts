import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { scopeCondition } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { asGeoJson, envelope, toFeatureCollection } from "../../db/postgis.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { bbox, communityCode, errorResponses, geoJson } from "../../http/schemas.ts";

const BlockProps = z.object({ id: z.number(), community_code: z.string(), kind: z.string() });

const route = routesFor(["basemap"], errorResponses);
const api = route("get /blocks", {
  summary: "Blocks (街坊): the faces of the road network inside each community",
  request: { query: z.object({ bbox: bbox.optional(), community: communityCode.optional() }) },
  responses: {
    200: geoJson(BlockProps, "Blocks"),
  },
});

// Secretaries and workers get their own communities' blocks, like every other answer naming a community; the
// base map everyone sees is drawn from the blocks tiles.
export const blocksRoutes = createRouter().openapi(api, async (c) => {
  const { bbox: box, community } = c.req.valid("query");
  let q = c
    .get("db")
    .selectFrom("block as b")
    .select(["b.id", "b.community_code", "b.kind", asGeoJson("b.geom").as("geometry")])
    .where(scopeCondition(principalOf(c), { community: "b.community_code" }))
    .orderBy("b.id");
  if (box) q = q.where(sql<boolean>`b.geom && ${envelope(box)}`);
  if (community) q = q.where("b.community_code", "=", community);
  return c.json(toFeatureCollection(await q.execute(), "id"), 200);
});
