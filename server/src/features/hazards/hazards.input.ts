import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";
import { freeText } from "../../http/input.ts";
import { commaList, day, placeFilter, point } from "../../http/schemas.ts";

export const HAZARD_STATUSES = ["reported", "assigned", "in_progress", "resolved", "verified"] as const;
export type HazardStatus = (typeof HAZARD_STATUSES)[number];
export const SEVERITIES = ["low", "medium", "high"] as const;

/** Statuses in which the hazard is still there; resolved and verified ones have been remediated. */
export const OPEN_STATUSES: readonly HazardStatus[] = ["reported", "assigned", "in_progress"];

const id = z.coerce
  .number()
  .int(bi("应为整数", "an integer"))
  .positive(bi("应为正整数", "a positive integer"))
  .max(2_000_000_000, bi("编号过大", "the id is too large"));
export const HazardParam = z.object({ id });

/** A category code: checked against the hazard_category table by the route, here only its shape. */
export const categoryCode = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, bi("类别编码格式不正确", "not a category code"));

/** Free text to look for in names and addresses (or titles and notes); case-insensitive substring. */
export const textQuery = z
  .string()
  .trim()
  .max(100, bi("搜索文字最多 100 个字符", "search text is at most 100 characters"));

const fromBeforeTo: [(f: { from?: string | undefined; to?: string | undefined }) => boolean, z.core.$ZodCustomParams] =
  [
    (f) => !f.from || !f.to || f.from <= f.to,
    { message: bi("开始日期不能晚于结束日期", "from must not be after to"), path: ["from"] },
  ];

/**
 * The hazard filters of the list, the clusters and the statistics; every one optional, all combined with AND.
 * `from`/`to` bound the day of the report (inclusive); `as_of` replays the map as it stood at the end of a day:
 * hazards reported by then, each with the status it had then (and `status` filters on that status).
 */
const hazardFilterFields = placeFilter.extend({
  category: commaList(categoryCode, "类别/category").optional(),
  status: commaList(z.enum(HAZARD_STATUSES), "状态/status").optional(),
  severity: commaList(z.enum(SEVERITIES), "等级/severity").optional(),
  from: day.optional(),
  to: day.optional(),
  q: textQuery.optional(),
  as_of: day.optional().openapi({ description: "Replay: the hazards and their statuses at the end of this day" }),
});
export const HazardFilter = hazardFilterFields.refine(...fromBeforeTo);
export type HazardFilterInput = z.infer<typeof HazardFilter>;

/** Map zoom (MapLibre's, 512 px tiles) the clusters are drawn at. */
export const zoom = z.coerce
  .number()
  .min(0, bi("缩放级别应在 0 到 24 之间", "zoom must lie between 0 and 24"))
  .max(24, bi("缩放级别应在 0 到 24 之间", "zoom must lie between 0 and 24"));

export const HazardClusterQuery = hazardFilterFields.extend({ zoom }).refine(...fromBeforeTo);

export const StatsQuery = hazardFilterFields
  .extend({
    venue_category: commaList(categoryCode, "场所类别/venue category")
      .optional()
      .openapi({ type: "string", description: "Venue categories counted in the overdue figures, comma-separated" }),
  })
  .refine(...fromBeforeTo);
export type StatsQueryInput = z.infer<typeof StatsQuery>;

export const title = freeText(
  z
    .string()
    .trim()
    .min(1, bi("请填写隐患名称", "give the hazard a title"))
    .max(120, bi("名称最多 120 个字符", "a title is at most 120 characters")),
);
export const note = freeText(
  z.string().trim().max(1000, bi("说明最多 1000 个字符", "a note is at most 1000 characters")),
);

export const CreateHazard = z
  .object({
    geometry: point,
    category: categoryCode,
    severity: z.enum(SEVERITIES),
    title,
    note: note.optional(),
    venue_id: id.optional().openapi({ type: "integer", description: "The venue the hazard was found at" }),
  })
  .strict();
export type CreateHazardInput = z.infer<typeof CreateHazard>;

export const Transition = z
  .object({
    to: z.enum(HAZARD_STATUSES),
    note: note.optional(),
    /** The status the client saw; when given and no longer current, the move is refused with 409. */
    from: z.enum(HAZARD_STATUSES).optional(),
  })
  .strict();
export type TransitionInput = z.infer<typeof Transition>;
