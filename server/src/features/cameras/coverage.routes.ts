import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { forbidden, readsEverything, seesCameras } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { toFeatureCollection } from "../../db/postgis.ts";
import { notFound } from "../../errors.ts";
import type { AppEnv } from "../../http/router.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorsOf, geoJson, json } from "../../http/schemas.ts";
import { BlindSpotQuery, CoverageQuery, SuggestBody } from "./coverage.input.ts";
import {
  areaFigures,
  blindSpots,
  checkCategories,
  DEFAULT_KEY_CATEGORIES,
  inCoverageTransaction,
  prepareCoverage,
  publishedGrids,
} from "./coverage.queries.ts";
import { CommunityCoverage, GridCoverage, Suggestion } from "./coverage.schemas.ts";
import { suggestSites } from "./coverage.suggest.ts";
import { refreshViews } from "./coverage.views.ts";

const errors = errorsOf({
  403: "The role sees no cameras (workers)",
  404: "No such community, or not the secretary's own",
});

/**
 * The communities whose coverage the principal may read: all (null) for admins, planners and leaders, a
 * secretary's own otherwise, narrowed to the one asked for. Camera positions and blind spots are sensitive:
 * roles without camera access get 403, a community outside a secretary's scope 404 as if it did not exist.
 */
async function scope(c: Context<AppEnv>, community: string | undefined): Promise<string[] | null> {
  const p = principalOf(c);
  if (!seesCameras(p)) throw forbidden();
  if (community === undefined) return readsEverything(p) ? null : [...p.communities];
  const exists = await c
    .get("db")
    .selectFrom("community")
    .select("code")
    .where("code", "=", community)
    .executeTakeFirst();
  if (!exists || !seesCameras(p, community)) {
    throw notFound(`没有编码为 ${community} 的社区`, `no community ${community}`);
  }
  return [community];
}

const BlindSpotProps = z.object({
  road_id: z.number(),
  road_name: z.string().nullable(),
  class: z.enum(["arterial", "secondary", "local"]),
  from_m: z.number(),
  to_m: z.number(),
  length_m: z.number(),
  grid_codes: z.array(z.string()),
  community_codes: z.array(z.string()),
});

const tags = ["coverage"];
const route = routesFor(tags, errors);
const r = {
  coverage: route("get /coverage", {
    summary: "Camera coverage per community and per grid: road length seen (by class), key places seen, cameras",
    request: { query: CoverageQuery },
    responses: {
      200: json(
        z.object({
          scenario: z.enum(["current", "planned"]),
          key_categories: z.array(z.string()),
          communities: z.array(CommunityCoverage),
          grids: z.array(GridCoverage),
        }),
        "Coverage",
      ),
    },
  }),
  blindSpots: route("get /coverage/blind-spots", {
    summary: "Stretches of road no camera sees, at least min_length_m long, as GeoJSON lines",
    request: { query: BlindSpotQuery },
    responses: { 200: geoJson(BlindSpotProps, "BlindSpots") },
  }),
  suggest: route("post /coverage/suggest", {
    summary: "Up to k new camera sites that add the most uncovered road (weighted by class) and key places",
    request: { body: { content: { "application/json": { schema: SuggestBody } }, required: true } },
    responses: { 200: json(Suggestion, "Suggested sites, ranked") },
  }),
};

export const coverageRoutes = createRouter()
  .openapi(r.coverage, async (c) => {
    const q = c.req.valid("query");
    const communities = await scope(c, q.community);
    const categories = q.key_categories ?? [...DEFAULT_KEY_CATEGORIES];
    const db = c.get("db");
    await checkCategories(db, categories);
    const result = await inCoverageTransaction(db, async (trx) => {
      await refreshViews(trx);
      const grids = await publishedGrids(trx, communities);
      await prepareCoverage(
        trx,
        grids.map((g) => g.id),
      );
      const byCommunity = new Map<string, number[]>();
      for (const g of grids) byCommunity.set(g.community_code, [...(byCommunity.get(g.community_code) ?? []), g.id]);
      const names = await trx
        .selectFrom("community")
        .select(["code", "name"])
        .where("code", "in", [...byCommunity.keys(), ""])
        .orderBy("code")
        .execute();
      const figures = await areaFigures(
        trx,
        [
          ...grids.map((g) => ({ key: `g${g.id}`, grids: [g.id] })),
          ...[...byCommunity].map(([code, ids]) => ({ key: `c${code}`, grids: ids })),
        ],
        categories,
      );
      return {
        scenario: q.scenario,
        key_categories: categories,
        communities: names.map((n) => ({ code: n.code, name: n.name, ...figures.get(`c${n.code}`)![q.scenario] })),
        grids: grids.map((g) => ({
          code: g.code,
          name: g.name,
          community_code: g.community_code,
          ...figures.get(`g${g.id}`)![q.scenario],
        })),
      };
    });
    return c.json(result, 200);
  })
  .openapi(r.blindSpots, async (c) => {
    const q = c.req.valid("query");
    const communities = await scope(c, q.community);
    const spots = await inCoverageTransaction(c.get("db"), async (trx) => {
      await refreshViews(trx);
      const ids = (await publishedGrids(trx, communities)).map((g) => g.id);
      await prepareCoverage(trx, ids);
      return blindSpots(trx, ids, { scenario: q.scenario, minLengthM: q.min_length_m, sort: q.sort });
    });
    return c.json(toFeatureCollection(spots), 200);
  })
  .openapi(r.suggest, async (c) => {
    const body = c.req.valid("json");
    await scope(c, body.community);
    const db = c.get("db");
    const categories = body.key_categories ?? [...DEFAULT_KEY_CATEGORIES];
    await checkCategories(db, categories);
    const result = await inCoverageTransaction(db, async (trx) => {
      await refreshViews(trx);
      return suggestSites(trx, { ...body, key_categories: categories });
    });
    return c.json(result, 200);
  });
