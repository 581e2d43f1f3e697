import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";
import { communityCode, editedVersion } from "../../http/schemas.ts";

export const RoleGrant = z
  .discriminatedUnion("role", [
    z.object({ role: z.literal("admin") }),
    z.object({ role: z.literal("planner") }),
    z.object({ role: z.literal("leader") }),
    z.object({ role: z.literal("secretary"), community_code: communityCode }),
    z.object({ role: z.literal("worker"), worker_id: z.number().int().positive().max(2_000_000_000) }),
  ])
  .openapi("RoleGrant");
export type RoleGrant = z.infer<typeof RoleGrant>;

export const username = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]{1,39}$/,
    bi("用户名为2–40个小写字母、数字或 _.-", "a username is 2–40 lowercase letters, digits or _.-"),
  );

export const NewAccount = z.object({
  username,
  display_name: z.string().trim().min(1).max(60),
  password: z.string().max(200).optional().openapi({
    description: "An initial password to be changed at first sign-in; left out, a set-password link is issued",
  }),
  roles: z.array(RoleGrant).min(1, bi("至少授予一个角色", "grant at least one role")).max(20),
});

export const AccountChange = z
  .object({
    display_name: z.string().trim().min(1).max(60).optional(),
    disabled: z.boolean().optional(),
    roles: z.array(RoleGrant).min(1, bi("至少授予一个角色", "grant at least one role")).max(20).optional(),
    version: editedVersion.optional(),
  })
  .strict()
  .refine((o) => Object.keys(o).some((k) => k !== "version"), {
    message: bi("没有要修改的字段", "nothing to change"),
  });

export const PasswordReset = z.object({
  password: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "A new initial password; left out, a one-time set-password link is issued instead" }),
});
