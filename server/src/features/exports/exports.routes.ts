import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { createRouter } from "../../http/router.ts";
import { ErrorSchema } from "../../http/schemas.ts";
import { ExportQuery } from "./exports.input.ts";
import { EXPORT_LAYERS, exportLayer } from "./exports.queries.ts";

const err = (description: string) => ({ description, content: { "application/json": { schema: ErrorSchema } } });
const file = (type: string) => ({ [type]: { schema: z.string().openapi({ format: "binary" }) } });

const route = createRoute({
  method: "get",
  path: "/exports/{layer}",
  tags: ["exports"],
  summary:
    "A layer — grids or parcels of a plan, buildings, venues, hazards, cameras, communities — narrowed by community, grid or box, as GeoJSON, CSV (WKT), zipped Shapefile (UTF-8 .cpg) or GeoPackage, written by GDAL",
  request: { params: z.object({ layer: z.enum(EXPORT_LAYERS) }), query: ExportQuery },
  responses: {
    200: {
      description: "The file, as an attachment",
      content: {
        ...file("application/geo+json"),
        ...file("text/csv"),
        ...file("application/zip"),
        ...file("application/geopackage+sqlite3"),
      },
    },
    400: err("Bad input"),
    401: err("Not signed in"),
    403: err("Exports are for admins, planners and leaders"),
    404: err("No such plan"),
  },
});

/** Exports read whole layers, so they are for the roles that read everything; scopes apply all the same. */
export const exportsRoutes = createRouter().openapi(route, async (c) => {
  const p = principalOf(c);
  requireRole(p, "admin", "planner", "leader");
  const out = await exportLayer(c.get("db"), p, c.req.valid("param").layer, c.req.valid("query"));
  return c.body(new Uint8Array(out.bytes), 200, {
    "content-type": out.type,
    "content-disposition": `attachment; filename="${out.filename}"`,
    "x-feature-count": String(out.count),
  });
});
