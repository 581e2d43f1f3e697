import { CAMERA_TYPES } from "@gridatlas/geodata/cameras.ts";
import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";
import { communityCode } from "../../http/schemas.ts";
import { DEFAULT_KEY_CATEGORIES, SCENARIOS } from "./coverage.queries.ts";

const scenario = z
  .enum(SCENARIOS)
  .default("current")
  .openapi({ description: "current: online cameras; planned: online and planned cameras. Offline ones never count." });

/** `key_categories=school,market`: the venue categories counted as key places. */
const keyCategories = z
  .string()
  .max(400)
  .regex(/^[a-z_]+(,[a-z_]+)*$/, bi("应为逗号分隔的场所类别编码", "comma-separated venue category codes"))
  .transform((s) => [...new Set(s.split(","))])
  .optional()
  .openapi({ type: "string", example: DEFAULT_KEY_CATEGORIES.join(",") });

export const CoverageQuery = z.object({
  community: communityCode.optional(),
  scenario,
  key_categories: keyCategories,
});

export const BlindSpotQuery = z.object({
  community: communityCode.optional(),
  scenario,
  min_length_m: z.coerce
    .number(bi("应为数字", "a number"))
    .min(0)
    .max(100_000)
    .default(50)
    .openapi({ description: "Only stretches at least this long, metres" }),
  sort: z
    .enum(["class", "length"])
    .default("class")
    .openapi({ description: "class: arterial first, then by length; length: longest first" }),
});

const weight = (max: number) => z.number().min(0).max(max);

export const SuggestBody = z
  .object({
    community: communityCode,
    k: z.number().int(bi("应为整数", "an integer")).min(1).max(10),
    type: z.enum(CAMERA_TYPES).default("dome"),
    range_m: z.number().min(1).max(500).optional(),
    view_width_deg: z.number().min(1).max(360).optional(),
    include_planned: z.boolean().default(true),
    min_length_m: z.number().min(0).max(100_000).default(50),
    weights: z
      .object({
        arterial: weight(100).default(3),
        secondary: weight(100).default(2),
        local: weight(100).default(1),
        key_place: weight(100_000).default(100),
      })
      .strict()
      .default({ arterial: 3, secondary: 2, local: 1, key_place: 100 })
      .openapi({ description: "Weight of a metre of road by class, and of one key place" }),
    key_categories: z
      .array(z.string().regex(/^[a-z_]+$/))
      .max(20)
      .optional(),
  })
  .strict();
