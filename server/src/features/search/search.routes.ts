import { z } from "@hono/zod-openapi";
import { requireRole } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { notFound } from "../../errors.ts";
import { bi } from "../../http/errors.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { errorResponses, geometry, json } from "../../http/schemas.ts";
import { SEARCH_KINDS, searchPlaces } from "./search.queries.ts";

const Hit = z.object({
  kind: z.enum(SEARCH_KINDS),
  id: z.string(),
  name: z.string(),
  community_name: z.string().nullable(),
  compound_name: z.string().nullable(),
  note: z.string().nullable(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  geometry,
});

const SearchAnswer = z.object({
  q: z.string(),
  /** One group per kind that found something, in the order of SEARCH_KINDS. */
  groups: z.array(z.object({ kind: z.enum(SEARCH_KINDS), results: z.array(Hit) })),
});

const route = routesFor(["territory"], errorResponses);
const api = route("get /search", {
  summary: "Places by name, number, code or address (grids, communities, compounds, buildings, entrances, venues)",
  request: {
    query: z.object({
      // Text the database can hold is checked for every parameter by http/input.ts; here only its length.
      q: z
        .string()
        .trim()
        .min(1, bi("请输入要搜索的文字", "enter something to search for"))
        .max(100, bi("搜索文字最多 100 个字符", "search text is at most 100 characters")),
      /** Grids of this plan (the editor's draft) instead of the published plan's; for those who may read plans. */
      plan: z.coerce
        .number()
        .int()
        .positive(bi("方案编号应为正整数", "plan must be a positive whole number"))
        .optional(),
    }),
  },
  responses: { 200: json(SearchAnswer, "Places found, grouped by kind") },
});

export const searchRoutes = createRouter().openapi(api, async (c) => {
  const { q, plan } = c.req.valid("query");
  const p = principalOf(c);
  const db = c.get("db");
  if (plan !== undefined) {
    requireRole(p, "admin", "planner", "leader");
    if (!(await db.selectFrom("plan").select("id").where("id", "=", plan).executeTakeFirst())) {
      throw notFound(`没有编号为 ${plan} 的方案`, `no plan ${plan}`);
    }
  }
  const hits = await searchPlaces(db, p, q, { plan });
  const groups = SEARCH_KINDS.map((kind) => ({ kind, results: hits.filter((h) => h.kind === kind) })).filter(
    (g) => g.results.length > 0,
  );
  return c.json({ q, groups }, 200);
});
