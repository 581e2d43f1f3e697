import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "kysely";
import { createRouter } from "../../http/router.ts";
import { json } from "../../http/schemas.ts";

const route = createRoute({
  method: "get",
  path: "/health",
  tags: ["system"],
  summary: "Is the server up and does it reach PostGIS?",
  responses: {
    200: json(z.object({ ok: z.boolean(), postgis: z.string() }), "Server and database are up"),
  },
});

export const healthRoutes = createRouter().openapi(route, async (c) => {
  const r = await sql<{ v: string }>`select postgis_lib_version() as v`.execute(c.get("db"));
  return c.json({ ok: true, postgis: r.rows[0]?.v ?? "" }, 200);
});
