import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";
import { MAX_FILE_BYTES } from "./imports.files.ts";

export const UploadId = z.uuid({ error: bi("应为上传文件的编号（UUID）", "expected an upload id (UUID)") });

export const CreateUpload = z
  .object({
    name: z
      .string()
      .min(1)
      .max(200)
      .refine((s) => [...s].every((ch) => ch >= " "), {
        message: bi("文件名含控制字符", "the file name holds control characters"),
      })
      .openapi({ example: "area.osm.pbf" }),
    size_bytes: z.number().int().min(1).max(MAX_FILE_BYTES),
  })
  .strict()
  .openapi("CreateUpload");

export const UploadChunk = z
  .object({
    offset: z.number().int().min(0).max(MAX_FILE_BYTES),
    /** Base64 of at most CHUNK_BYTES bytes: about 700 kB of text, under the API's 1 MB body limit. */
    data: z.string().min(1).max(700_000),
  })
  .strict()
  .openapi("UploadChunk");

export const Upload = z
  .object({
    id: z.string(),
    name: z.string(),
    size_bytes: z.number(),
    received_bytes: z.number(),
    complete: z.boolean(),
    chunk_bytes: z.number(),
  })
  .openapi("Upload");

const band = z
  .object({ min: z.number().int().min(0).max(100_000), max: z.number().int().min(1).max(100_000) })
  .strict()
  .refine((b) => b.min <= b.max, { message: bi("下限不能大于上限", "min must not exceed max") });

export const OsmImportRequest = z
  .object({
    kind: z.literal("osm"),
    /** The uploaded .osm.pbf or .osm file. */
    file: UploadId,
    subdistrict_code: z.string().regex(/^\d{9}$/, bi("街道编码应为9位数字", "a subdistrict code is 9 digits")),
    name: z.string().min(1).max(100).optional(),
    name_en: z.string().min(1).max(100).optional(),
    /** An uploaded file of community polygons (code, name, name_en); else admin_level=10 or one community. */
    communities_file: UploadId.optional(),
    metric_srid: z.number().int().min(2000).max(999_999).optional(),
    /** Average floor area of a dwelling (m²) for household estimates. */
    dwelling_m2: z.number().min(10).max(1000).optional(),
    band: band.optional(),
    /** Publish the proposed plan; by default it is a draft for a planner to check. */
    publish: z.boolean().optional(),
  })
  .strict();
export type OsmImportRequest = z.infer<typeof OsmImportRequest>;

const crs = z.string().regex(/^(EPSG:\d{4,6}|GCJ02|BD09)$/, bi("坐标系应为 EPSG:xxxx", "a CRS is EPSG:xxxx"));

/** A territory from an office's own layers (geodata/src/territory): the same import as `cli import-territory`. */
export const TerritoryImportRequest = z
  .object({
    kind: z.literal("territory"),
    /**
     * Uploaded GIS files (zipped Shapefile, GeoPackage, GeoJSON): community polygons, building polygons, road lines.
     * Communities and roads are required for a new territory, and not read when `update` re-imports buildings.
     */
    communities_file: UploadId.optional(),
    buildings_file: UploadId,
    roads_file: UploadId.optional(),
    compounds_file: UploadId.optional(),
    /** Water bodies (polygons): they cut the blocks and hold no buildings' parcels. */
    water_file: UploadId.optional(),
    /** Landuse or fence polygons: without a compounds file, those enclosing two buildings or more are compounds. */
    landuse_file: UploadId.optional(),
    /** An uploaded CSV or XLSX: 楼栋编码, 户数. */
    households_file: UploadId.optional(),
    /** Default: the first 9 digits the community codes share. */
    subdistrict_code: z
      .string()
      .regex(/^\d{9}$/, bi("街道编码应为9位数字", "a subdistrict code is 9 digits"))
      .optional(),
    name: z.string().min(1).max(100).optional(),
    /** The CRS of every layer, overriding their .prj files. */
    crs: crs.optional(),
    /** Text encoding of Shapefiles without .cpg; default GBK. */
    encoding: z.enum(["UTF-8", "GBK"]).optional(),
    /** Field names by meaning (floors, households, …), where the layers use names the import does not know. */
    fields: z.record(z.string(), z.string().min(1).max(50)).optional(),
    dwelling_m2: z.number().min(10).max(1000).optional(),
    band: band.optional(),
    publish: z.boolean().optional(),
    /**
     * Update the territory of `subdistrict_code` from a corrected buildings layer (and households spreadsheet):
     * buildings matched by 楼栋编码 keep their visits, parcels are rebuilt and every plan, the published one
     * included, is carried over. Communities, roads, water and compounds stay as they are.
     */
    update: z.boolean().optional(),
  })
  .strict();
export type TerritoryImportRequest = z.infer<typeof TerritoryImportRequest>;

/**
 * The layers of a territory import read and checked before anything is written: any of the files so far (the
 * three required ones make the check complete), with the reading options the import will take.
 */
export const TerritoryPreviewRequest = TerritoryImportRequest.pick({
  compounds_file: true,
  water_file: true,
  landuse_file: true,
  households_file: true,
  crs: true,
  encoding: true,
  fields: true,
})
  .extend({
    communities_file: UploadId.optional(),
    buildings_file: UploadId.optional(),
    roads_file: UploadId.optional(),
    /** How many features of each layer to return for the map (all are read, checked and counted). */
    limit: z.number().int().min(1).max(20_000).optional(),
  })
  .strict()
  .openapi("TerritoryPreviewRequest");
export type TerritoryPreviewRequest = z.infer<typeof TerritoryPreviewRequest>;

export const ImportJobView = z
  .object({
    id: z.string(),
    kind: z.enum(["osm", "layer", "plan", "territory"]),
    state: z.enum(["running", "done", "failed"]),
    progress: z.object({ step: z.number(), steps: z.number(), label: z.string() }),
    log: z.array(z.string()),
    started_at: z.string(),
    finished_at: z.string().optional(),
    summary: z.unknown().optional(),
    error: z.object({ code: z.string(), zh: z.string(), en: z.string(), details: z.unknown().optional() }).optional(),
  })
  .openapi("ImportJob");

const crsName = z
  .string()
  .regex(/^(EPSG:\d{4,6}|GCJ02|BD09)$/, bi("坐标系应为 EPSG:xxxx、GCJ02 或 BD09", "a CRS is EPSG:xxxx, GCJ02 or BD09"))
  .openapi({ example: "EPSG:4549" }) as unknown as z.ZodType<`EPSG:${number}` | "GCJ02" | "BD09">;

/** How to read an uploaded GIS file: which layer, in which CRS, which encoding, which CSV columns hold the position. */
export const FileRequest = z.object({
  file: UploadId,
  /** The subdistrict the data belongs to; by default the first one. */
  subdistrict_code: z
    .string()
    .regex(/^\d{9}$/, bi("街道编码应为9位数字", "a subdistrict code is 9 digits"))
    .optional(),
  layer: z.string().min(1).max(200).optional(),
  /** Overrides the CRS the file declares (or the one guessed from the coordinates). */
  crs: crsName.optional(),
  /** The coordinates come northing (latitude) first. */
  swap_axes: z.boolean().optional(),
  /** Text encoding of a Shapefile without .cpg or of a CSV. */
  encoding: z.enum(["UTF-8", "GBK"]).optional(),
  x_field: z.string().min(1).max(100).optional(),
  y_field: z.string().min(1).max(100).optional(),
  wkt_field: z.string().min(1).max(100).optional(),
});
export type FileRequest = z.infer<typeof FileRequest>;

export const PreviewRequest = FileRequest.extend({
  /** How many features to return for the map (all are read and counted). */
  limit: z.number().int().min(1).max(2000).optional(),
})
  .strict()
  .openapi("ImportPreviewRequest");

export const LayerTarget = z.enum(["venues", "hazards", "cameras", "buildings"]);
export type LayerTarget = z.infer<typeof LayerTarget>;

export const LayerImportRequest = FileRequest.extend({
  target: LayerTarget,
  /** Target field → source column (null: leave it empty); fields not named are matched by name. */
  mapping: z.record(z.string().max(100), z.string().max(100).nullable()).optional(),
  /** Validate and report without writing. */
  dry_run: z.boolean().optional(),
})
  .strict()
  .openapi("LayerImportRequest");
export type LayerImportRequest = z.infer<typeof LayerImportRequest>;

export const PlanImportRequest = FileRequest.extend({
  /** Name of the draft plan the hand-drawn grids become. */
  name: z.string().min(1).max(100),
  /** Source columns of the grid code (15 digits) and name; matched by name when left out. */
  code_field: z.string().min(1).max(100).optional(),
  name_field: z.string().min(1).max(100).optional(),
  dry_run: z.boolean().optional(),
})
  .strict()
  .openapi("PlanImportRequest");
export type PlanImportRequest = z.infer<typeof PlanImportRequest>;
