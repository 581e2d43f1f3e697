import { z } from "@hono/zod-openapi";
import { bi } from "../../http/errors.ts";
import { freeText } from "../../http/input.ts";
import { commaList, day, editedVersion, placeFilter } from "../../http/schemas.ts";

/** Where a venue stands with its inspections (view venue_inspection_status). */
export const INSPECTION_STATUSES = ["never", "overdue", "due", "ok", "closed"] as const;
export const RESULTS = ["ok", "issues_found", "closed_down"] as const;
const SEVERITIES = ["low", "medium", "high"] as const;

const id = z.coerce
  .number()
  .int(bi("应为整数", "an integer"))
  .positive(bi("应为正整数", "a positive integer"))
  .max(2_000_000_000, bi("编号过大", "the id is too large"));
export const VenueParam = z.object({ id });

export const categoryCode = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, bi("类别编码格式不正确", "not a category code"));
export const CategoryParam = z.object({ code: categoryCode });

/** Today in China Standard Time, YYYY-MM-DD. */
export const todayCst = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());

/**
 * The venue filters of the list and the clusters; every one optional, all combined with AND. `status` is the
 * inspection status; `from`/`to` bound the day of the last inspection (inclusive; never-inspected venues have
 * none and drop out); `q` looks in the name and the address.
 */
const venueFilterFields = placeFilter.extend({
  category: commaList(categoryCode, "类别/category").optional(),
  status: commaList(z.enum(INSPECTION_STATUSES), "检查状态/status").optional(),
  from: day.optional(),
  to: day.optional(),
  q: z.string().trim().max(100, bi("搜索文字最多 100 个字符", "search text is at most 100 characters")).optional(),
});
const fromBeforeTo: [(f: { from?: string | undefined; to?: string | undefined }) => boolean, z.core.$ZodCustomParams] =
  [
    (f) => !f.from || !f.to || f.from <= f.to,
    { message: bi("开始日期不能晚于结束日期", "from must not be after to"), path: ["from"] },
  ];
export const VenueFilter = venueFilterFields.refine(...fromBeforeTo);
export type VenueFilterInput = z.infer<typeof VenueFilter>;

export const VenueClusterQuery = venueFilterFields
  .extend({
    zoom: z.coerce
      .number()
      .min(0, bi("缩放级别应在 0 到 24 之间", "zoom must lie between 0 and 24"))
      .max(24, bi("缩放级别应在 0 到 24 之间", "zoom must lie between 0 and 24")),
  })
  .refine(...fromBeforeTo);

const text = (max: number, zh: string) =>
  z
    .string()
    .trim()
    .max(max, bi(`${zh}最多 ${max} 个字符`, `at most ${max} characters`));

/** A hazard found during the inspection: it stands at the venue and goes to the venue's grid team. */
const RaisedHazard = z
  .object({
    category: categoryCode,
    severity: z.enum(SEVERITIES),
    title: freeText(text(120, "名称").min(1, bi("请填写隐患名称", "give the hazard a title"))),
    note: freeText(text(1000, "说明")).optional(),
  })
  .strict();

export const CreateInspection = z
  .object({
    inspected_on: day.refine((d) => d <= todayCst(), {
      message: bi("检查日期不能晚于今天", "the inspection cannot be dated after today"),
    }),
    result: z.enum(RESULTS),
    note: freeText(text(1000, "备注")).optional(),
    follow_up: freeText(text(1000, "后续措施")).optional(),
    joint_with_police: z.boolean().default(false).openapi({ description: "A joint inspection with the police" }),
    inspector_id: id.optional().openapi({
      type: "integer",
      description: "The worker who inspected; a worker account is itself, a secretary defaults to the community's",
    }),
    hazards: z
      .array(RaisedHazard)
      .max(10, bi("一次检查最多上报 10 个隐患", "at most 10 hazards per inspection"))
      .default([]),
  })
  .strict();
export type CreateInspectionInput = z.infer<typeof CreateInspection>;

export const UpdateVenueCategory = z
  .object({
    inspection_interval_days: z
      .number()
      .int(bi("应为整数天", "a whole number of days"))
      .min(1, bi("检查周期至少 1 天", "the interval is at least 1 day"))
      .max(3650, bi("检查周期最多 3650 天", "the interval is at most 3650 days")),
    version: editedVersion.optional(),
  })
  .strict();
