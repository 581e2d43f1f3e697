import { z } from "@hono/zod-openapi";
import { bbox, communityCode, gridCode } from "../../http/schemas.ts";

export const ExportQuery = z.object({
  format: z.enum(["geojson", "csv", "shp", "gpkg"]).default("geojson"),
  /** The plan whose grids (and parcels' grid codes) are exported; the published one by default. */
  plan: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
  community: communityCode.optional(),
  grid: gridCode.optional(),
  bbox: bbox.optional(),
  /** The language of a CSV's headers and coded values (categories, statuses, types); GIS formats keep the codes. */
  lang: z.enum(["zh", "en"]).default("en"),
});
export type ExportQuery = z.infer<typeof ExportQuery>;
