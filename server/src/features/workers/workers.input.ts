import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";
import { communityCode, day, editedVersion, gridCode } from "../../http/schemas.ts";

export const WORKER_ROLES = ["secretary", "grid_leader", "grid_worker", "info_worker"] as const;

const id = z.coerce
  .number()
  .int(bi("应为整数", "an integer"))
  .positive(bi("应为正整数", "a positive integer"))
  .max(2_000_000_000);

export const WorkerParam = z.object({ id });
export const AssignmentParam = z.object({ id, code: gridCode });

/** A person's name as the database takes it: 1–40 characters (code points), no control or format characters. */
const name = z
  .string()
  .trim()
  .min(1, bi("请填写姓名", "enter a name"))
  .refine((s) => [...s].length <= 40, { message: bi("姓名最多40个字", "a name has at most 40 characters") })
  .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), {
    message: bi("姓名含有不可见的控制字符", "the name holds invisible control characters"),
  });

/** A phone number: digits, spaces, + and -, 5 to 20 of them; empty means none. */
const phone = z
  .string()
  .trim()
  .refine((s) => s === "" || /^[0-9+ -]{5,20}$/.test(s), {
    message: bi("电话应为5–20位数字（可含空格、+、-）", "a phone number is 5–20 digits (spaces, + and - allowed)"),
  })
  .transform((s) => (s === "" ? null : s))
  .nullable();

export const ListQuery = z.object({
  community: communityCode.optional(),
  include_retired: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true")
    .openapi({ type: "string", description: "true: retired workers too" }),
});

export const CreateWorker = z
  .object({
    community_code: communityCode,
    role: z.enum(WORKER_ROLES),
    name,
    phone: phone.optional(),
    started_on: day,
  })
  .strict();

/** Fields to change. `retired_on` retires the worker (and ends their assignments); null reinstates them. */
export const UpdateWorker = z
  .object({
    role: z.enum(WORKER_ROLES).optional(),
    name: name.optional(),
    phone: phone.optional(),
    started_on: day.optional(),
    retired_on: day.nullable().optional(),
    version: editedVersion.optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).some((k) => k !== "version"), {
    message: bi("没有要修改的字段", "nothing to change"),
  });

export const Assign = z.object({ grid_code: gridCode }).strict();
