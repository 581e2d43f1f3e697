import { CAMERA_TYPES } from "@gridatlas/geodata/cameras.ts";
import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";
import { editedVersion, placeFilter, point } from "../../http/schemas.ts";

export const CAMERA_STATUSES = ["online", "offline", "planned"] as const;
export const CAMERA_SITES = ["intersection", "gate", "school", "venue", "road", "other"] as const;

export const CameraParam = z.object({
  id: z.coerce
    .number()
    .int(bi("应为整数", "an integer"))
    .positive(bi("应为正整数", "a positive integer"))
    .max(2_000_000_000),
});

export const CameraListQuery = placeFilter.extend({
  views: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true")
    .openapi({ type: "string", description: "true: each camera carries its view polygon (what it sees)" }),
});

const bearing = z
  .number()
  .min(0, bi("方位角应在 0 到 360 度之间", "bearing must be from 0 to under 360 degrees"))
  .lt(360, bi("方位角应在 0 到 360 度之间", "bearing must be from 0 to under 360 degrees"))
  .openapi({ description: "Degrees clockwise from north" });
const width = z
  .number()
  .min(1, bi("视角至少 1 度", "width of view must be at least 1 degree"))
  .max(360, bi("视角不能超过 360 度", "width of view cannot exceed 360 degrees"));
const range = z
  .number()
  .min(1, bi("可视距离至少 1 米", "range must be at least 1 m"))
  .max(500, bi("可视距离不能超过 500 米", "range cannot exceed 500 m"));
const height = z
  .number()
  .gt(0, bi("安装高度应大于 0 米", "mount height must be over 0 m"))
  .max(100, bi("安装高度不能超过 100 米", "mount height cannot exceed 100 m"));
const name = z.string().trim().min(1, bi("请填写点位名称", "name the camera")).max(100);

/** A planned camera; values left out take the type's defaults and are marked as such. */
export const CreateCamera = z
  .object({
    name,
    type: z.enum(CAMERA_TYPES),
    geometry: point,
    bearing_deg: bearing.optional(),
    view_width_deg: width.optional(),
    range_m: range.optional(),
    mount_height_m: height.optional(),
    site: z.enum(CAMERA_SITES).default("other"),
  })
  .strict();

/** Fields to change; null sets a value back to its type's default. */
export const UpdateCamera = z
  .object({
    name: name.optional(),
    type: z.enum(CAMERA_TYPES).optional(),
    geometry: point.optional(),
    bearing_deg: bearing.nullable().optional(),
    view_width_deg: width.nullable().optional(),
    range_m: range.nullable().optional(),
    mount_height_m: height.nullable().optional(),
    status: z.enum(CAMERA_STATUSES).optional(),
    site: z.enum(CAMERA_SITES).optional(),
    version: editedVersion.optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).some((k) => k !== "version"), {
    message: bi("没有要修改的字段", "nothing to change"),
  });

export type CreateCameraInput = z.infer<typeof CreateCamera>;
export type UpdateCameraInput = z.infer<typeof UpdateCamera>;
