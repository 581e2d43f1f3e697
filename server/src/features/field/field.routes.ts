import { createRoute, z } from "@hono/zod-openapi";
import { principalOf } from "../../auth/session.ts";
import { createRouter } from "../../http/router.ts";
import { ErrorSchema, json } from "../../http/schemas.ts";
import { fieldData } from "./field.queries.ts";
import { FieldData, FieldQuery, FieldUnchanged } from "./field.schemas.ts";

const route = createRoute({
  method: "get",
  path: "/me/field",
  tags: ["field"],
  summary: "Everything the field app keeps for offline work: my grids, their entrances, buildings, venues and hazards",
  description:
    "Only the signed-in worker's own grids (grid workers, grid leaders, information workers). `?since=<version>` " +
    "answers `{ version, changed: false }` when nothing changed; the ETag is the version, and If-None-Match gets 304.",
  request: { query: FieldQuery },
  responses: {
    200: json(z.union([FieldData, FieldUnchanged]), "The field data, or that nothing changed since `since`"),
    304: { description: "Not modified (If-None-Match holds the current version)" },
    400: json(ErrorSchema, "Bad input"),
    401: json(ErrorSchema, "Not signed in"),
    403: json(ErrorSchema, "Not a worker's account"),
  },
});

/** Whether an If-None-Match header names the entity tag (weak or strong, or `*`). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}

export const fieldRoutes = createRouter().openapi(route, async (c) => {
  const data = await fieldData(c.get("db"), principalOf(c));
  const etag = `"${data.version}"`;
  c.header("etag", etag);
  // Personal, and must be revalidated: the phone's own store is what works offline, not the HTTP cache.
  c.header("cache-control", "private, no-cache");
  c.header("vary", "cookie");
  if (matches(c.req.header("if-none-match"), etag)) return c.body(null, 304);
  if (c.req.valid("query").since === data.version)
    return c.json({ version: data.version, changed: false as const }, 200);
  return c.json({ ...data, changed: true as const }, 200);
});
