import { z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { scopeCondition } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { asGeoJson, envelope, toFeatureCollection } from "../../db/postgis.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { bbox, communityCode, errorResponses, geoJson } from "../../http/schemas.ts";

const ParcelProps = z.object({
  id: z.number(),
  community_code: z.string(),
  block_id: z.number(),
  entrance_id: z.number().nullable(),
  building_id: z.number().nullable(),
  compound_id: z.number().nullable(),
  building_name: z.string().nullable().openapi({ description: "The building's name or number, e.g. 5号楼" }),
  households: z.number(),
  area_m2: z.number(),
});

const EdgeProps = z.object({ a: z.number(), b: z.number(), length_m: z.number(), on_road: z.boolean() });

const query = z.object({ bbox: bbox.optional(), community: communityCode.optional() });

const route = routesFor(["territory"], errorResponses);
const parcels = route("get /parcels", {
  summary: "Parcels (地块), the atoms grids are made of, with their households",
  request: { query },
  responses: {
    200: geoJson(ParcelProps, "Parcels"),
  },
});

const edges = route("get /parcel-edges", {
  summary: "Boundaries shared by two parcels; the editor draws grid outlines from those between different grids",
  request: { query },
  responses: {
    200: geoJson(EdgeProps, "ParcelEdges"),
  },
});

export const parcelsRoutes = createRouter()
  .openapi(parcels, async (c) => {
    const { bbox: box, community } = c.req.valid("query");
    let q = c
      .get("db")
      .selectFrom("parcel as p")
      .leftJoin("entrance as e", "e.id", "p.entrance_id")
      .leftJoin("building as b", "b.id", "p.building_id")
      .select([
        "p.id",
        "p.community_code",
        "p.block_id",
        "p.entrance_id",
        "p.building_id",
        "p.compound_id",
        sql<string | null>`nullif(b.name, '')`.as("building_name"),
        sql<number>`coalesce(e.households, 0)`.as("households"),
        sql<number>`round(p.area_m2::numeric, 1)::float8`.as("area_m2"),
        asGeoJson("p.geom").as("geometry"),
      ])
      .where(scopeCondition(principalOf(c), { community: "p.community_code", parcelId: "p.id" }))
      .orderBy("p.id");
    if (box) q = q.where(sql<boolean>`p.geom && ${envelope(box)}`);
    if (community) q = q.where("p.community_code", "=", community);
    return c.json(toFeatureCollection(await q.execute(), "id"), 200);
  })
  .openapi(edges, async (c) => {
    const { bbox: box, community } = c.req.valid("query");
    let q = c
      .get("db")
      .selectFrom("parcel_edge as e")
      .select([
        "e.a",
        "e.b",
        sql<number>`round(e.length_m::numeric, 2)::float8`.as("length_m"),
        "e.on_road",
        asGeoJson("e.geom").as("geometry"),
      ])
      .where(scopeCondition(principalOf(c), { community: "e.community_code", parcelId: "e.a" }))
      .orderBy("e.a")
      .orderBy("e.b");
    if (box) q = q.where(sql<boolean>`e.geom && ${envelope(box)}`);
    if (community) q = q.where("e.community_code", "=", community);
    const rows = await q.execute();
    return c.json(
      {
        type: "FeatureCollection" as const,
        features: rows.map(({ geometry, ...properties }, i) => ({
          type: "Feature" as const,
          id: i + 1,
          geometry,
          properties,
        })),
      },
      200,
    );
  });
