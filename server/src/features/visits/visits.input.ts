import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";
import { freeText } from "../../http/input.ts";
import { communityCode, day, gridCode } from "../../http/schemas.ts";

export const MAX_IMPORT_ROWS = 5000;

export const id = z.coerce
  .number()
  .int(bi("应为整数", "an integer"))
  .positive(bi("应为正整数", "a positive integer"))
  .max(2_000_000_000, bi("编号过大", "id too large"));

/** A short note: up to 500 characters, line breaks allowed, no other control characters. */
export const note = freeText(
  z
    .string()
    .trim()
    .refine((s) => [...s].length <= 500, { message: bi("备注最多500字", "a note has at most 500 characters") })
    .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s.replace(/\r?\n/g, "")), {
      message: bi("备注含有不可见的控制字符", "the note holds invisible control characters"),
    }),
).transform((s) => (s === "" ? null : s));

/**
 * One visit: to an entrance (单元) or to a whole building (楼栋), never both. A worker account may leave out
 * `worker_id`: it records as itself.
 */
export const CreateVisit = z
  .object({
    worker_id: id.optional(),
    entrance_id: id.optional(),
    building_id: id.optional(),
    visited_on: day,
    note: note.nullable().optional(),
  })
  .strict()
  .refine((v) => (v.entrance_id === undefined) !== (v.building_id === undefined), {
    message: bi("请填写单元编号或楼栋编号之一（不能同时填写）", "give either entrance_id or building_id, not both"),
    path: ["entrance_id"],
  })
  .openapi("NewVisit");
export type CreateVisitInput = z.infer<typeof CreateVisit>;

export const ImportBody = z
  .object({
    csv: z
      .string()
      .max(1_000_000, bi("文件过大（最多 1 MB）", "file too large (1 MB at most)"))
      .openapi({ description: "CSV text: worker_id, entrance_id | building_id, visited_on, note (header row first)" }),
  })
  .strict();

export const ImportQuery = z.object({
  dry_run: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true")
    .openapi({ type: "string", description: "true: check every row and report, import nothing" }),
});

export const ListQuery = z.object({
  community: communityCode.optional(),
  grid: gridCode.optional(),
  worker: id.optional(),
  from: day.optional(),
  to: day.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
