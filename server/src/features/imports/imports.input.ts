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

export const ImportJobView = z
  .object({
    id: z.string(),
    kind: z.enum(["osm", "layer", "plan"]),
    state: z.enum(["running", "done", "failed"]),
    progress: z.object({ step: z.number(), steps: z.number(), label: z.string() }),
    log: z.array(z.string()),
    started_at: z.string(),
    finished_at: z.string().optional(),
    summary: z.unknown().optional(),
    error: z.object({ code: z.string(), zh: z.string(), en: z.string(), details: z.unknown().optional() }).optional(),
  })
  .openapi("ImportJob");
