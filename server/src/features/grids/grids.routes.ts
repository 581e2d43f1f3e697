import { z } from "@hono/zod-openapi";
import { type Principal, readsGrid } from "../../auth/principal.ts";
import { principalOf } from "../../auth/session.ts";
import { BAND_STATUSES } from "../../db/band.ts";
import { toFeatureCollection } from "../../db/postgis.ts";
import { gridTeam } from "../../db/team.ts";
import { noSuchGrid } from "../../errors.ts";
import { cachedAnswer } from "../../http/cached-answer.ts";
import { createRouter } from "../../http/router.ts";
import { routesFor } from "../../http/routes.ts";
import { communityCode, errorResponses, geoJson, gridCode } from "../../http/schemas.ts";
import { findPublishedGrid, gridPlaceCounts, listPublishedGrids } from "./grids.queries.ts";

const Status = z.enum(BAND_STATUSES);

/**
 * How much of a staff record a reader sees (DOMAIN: staff data is visible to those who manage it): admins and the
 * community's secretary everything; planners and workers names and roles; leaders roles only.
 */
function staffView(p: Principal, community: string): "full" | "names" | "roles" {
  if (p.roles.includes("admin") || p.communities.includes(community)) return "full";
  if (p.roles.includes("planner") || p.roles.includes("worker")) return "names";
  return "roles";
}

const GridProps = z.object({
  code: z.string(),
  name: z.string(),
  community_code: z.string(),
  households: z.number(),
  buildings: z.number(),
  entrances: z.number(),
  status: Status,
});

const GridDetail = z
  .object({
    code: z.string(),
    name: z.string(),
    community_code: z.string(),
    community_name: z.string(),
    households: z.number(),
    buildings: z.number(),
    entrances: z.number(),
    parcels: z.number(),
    area_m2: z.number(),
    status: Status,
    band: z.object({ min: z.number(), max: z.number() }),
    /** Staff are personal data: names and phones only for those who manage them (see `staffView`). */
    team: z.array(
      z.object({ id: z.number(), name: z.string().nullable(), role: z.string(), phone: z.string().nullable() }),
    ),
    venues: z.number(),
    hazards_open: z.number(),
    cameras: z.number(),
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  })
  .openapi("Grid");

const route = routesFor(["grids"], errorResponses);
const list = route("get /grids", {
  summary: "The grids of the published plan, with households and band status",
  request: { query: z.object({ community: communityCode.optional() }) },
  responses: {
    200: geoJson(GridProps, "Grids"),
    304: { description: "Not modified (If-None-Match)" },
  },
});

const one = route("get /grids/{code}", {
  summary: "One grid of the published plan: figures, team and what stands in it",
  request: { params: z.object({ code: gridCode }) },
  responses: {
    200: { description: "The grid", content: { "application/json": { schema: GridDetail } } },
    304: { description: "Not modified (If-None-Match)" },
  },
});

export const gridsRoutes = createRouter()
  .openapi(list, (c) =>
    cachedAnswer(c, { personal: false }, async () => {
      const rows = await listPublishedGrids(c.get("db"), principalOf(c), c.req.valid("query"));
      return c.json(toFeatureCollection(rows, "code"), 200);
    }),
  )
  // The team's names and phones make it personal: cached here, never by the browser.
  .openapi(one, (c) =>
    cachedAnswer(c, { personal: true }, async () => {
      const db = c.get("db");
      const { code } = c.req.valid("param");
      const grid = await findPublishedGrid(db, code);
      // Out of scope answers exactly like absent, so codes of other communities cannot be probed.
      if (!grid || !readsGrid(principalOf(c), grid)) throw noSuchGrid();
      const [team, counts] = await Promise.all([
        gridTeam(db, grid, ["w.id", "w.name", "w.role", "w.phone"]),
        gridPlaceCounts(db, grid.id),
      ]);
      const view = staffView(principalOf(c), grid.community_code);
      const { id: _id, band_min, band_max, ...rest } = grid;
      const shown = team.map((w) => ({
        id: w.id,
        role: w.role,
        name: view === "roles" ? null : w.name,
        phone: view === "full" ? w.phone : null,
      }));
      return c.json({ ...rest, band: { min: band_min, max: band_max }, team: shown, ...counts }, 200);
    }),
  );
