import { createRoute, z } from "@hono/zod-openapi";
import { requireRole } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { communityCode, ErrorSchema } from "../../http/schemas.ts";
import { ExportQuery } from "./exports.input.ts";
import { planMapHtml, printHtml, transfersHtml } from "./exports.print.ts";
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

const PrintQuery = z.object({
  format: z.enum(["pdf", "png"]).default("pdf"),
  paper: z.enum(["A4", "A3"]).default("A4"),
  /** The language of the page that asks: every word of the print is in it. */
  lang: z.enum(["zh", "en"]).default("zh"),
});
const printed = {
  description: "The page, as an attachment",
  content: { ...file("application/pdf"), ...file("image/png") },
};
const printErrors = {
  400: err("Bad input"),
  401: err("Not signed in"),
  403: err("Not allowed"),
  404: err("No such plan"),
};

const print = routesFor(["exports"], printErrors);
const mapRoute = print("get /exports/print/map", {
  summary:
    "A printed map of a plan's grids (the published one by default; of one community or all) with title, legend, scale bar, north arrow, grid codes, date and source, as PDF or PNG at A4 or A3 landscape, rendered in headless Chromium",
  request: {
    query: PrintQuery.extend({
      plan: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
      community: communityCode.optional(),
      title: z.string().min(1).max(100).optional(),
    }),
  },
  responses: { 200: printed },
});

const transfersRoute = print("get /exports/print/transfers", {
  summary:
    "The change list (划转清单) from plan `from` to plan `to` as a printed table, PDF or PNG, through the same pipeline",
  request: {
    query: PrintQuery.extend({
      from: z.coerce.number().int().min(1).max(2_147_483_647),
      to: z.coerce.number().int().min(1).max(2_147_483_647),
    }),
  },
  responses: { 200: printed },
});

const attachment = (name: string, format: "pdf" | "png") => ({
  "content-type": format === "pdf" ? "application/pdf" : "image/png",
  "content-disposition": `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.${format}"`,
});

/** Exports read whole layers, so they are for the roles that read everything; scopes apply all the same. */
export const exportsRoutes = createRouter()
  .openapi(mapRoute, async (c) => {
    requireRole(principalOf(c), "admin", "planner", "leader");
    const q = c.req.valid("query");
    const html = await planMapHtml(c.get("db"), {
      plan: q.plan,
      community: q.community,
      paper: q.paper,
      title: q.title,
      lang: q.lang,
    });
    const bytes = await printHtml(html, q.paper, q.format);
    return c.body(new Uint8Array(bytes), 200, attachment(`grid-map-${q.paper}`, q.format));
  })
  .openapi(transfersRoute, async (c) => {
    requireRole(principalOf(c), "admin", "planner", "leader");
    const q = c.req.valid("query");
    const html = await transfersHtml(c.get("db"), q.from, q.to, q.paper, q.lang);
    const bytes = await printHtml(html, q.paper, q.format, true);
    return c.body(new Uint8Array(bytes), 200, attachment(`transfers-${q.from}-${q.to}`, q.format));
  })
  .openapi(route, async (c) => {
    const p = principalOf(c);
    requireRole(p, "admin", "planner", "leader");
    const out = await exportLayer(c.get("db"), p, c.req.valid("param").layer, c.req.valid("query"));
    return c.body(new Uint8Array(out.bytes), 200, {
      "content-type": out.type,
      "content-disposition": `attachment; filename="${out.filename}"`,
      "x-feature-count": String(out.count),
    });
  });
