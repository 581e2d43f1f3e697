import { z } from "@hono/zod-openapi";
import { communityCode, day, gridCode } from "../../http/schemas.ts";

/** The zone the subdistrict keeps its calendar in: a visit "on" a day is that day in Tongliao. */
export const LOCAL_TIME_ZONE = "Asia/Shanghai";

/** The calendar day it is now where the subdistrict is, as YYYY-MM-DD. */
export function localToday(now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: LOCAL_TIME_ZONE }).format(now);
}

/**
 * `today`: the day the figures are computed for (visits of the last 30 days, the calendar month, overdue
 * inspections, open hazards). Defaults to the real date; the demo's visits end on 2026-11-20.
 */
export const TodayQuery = z.object({
  today: day.optional().openapi({ description: "As of this day (default: the current date in Asia/Shanghai)" }),
});

export const CommunityParam = z.object({ code: communityCode });
export const GridParam = z.object({ code: gridCode });

/** A date range, both ends included; the default is the calendar month of `today` up to `today`. */
export const RangeQuery = TodayQuery.extend({
  from: day.optional(),
  to: day.optional(),
});

export const ReportCsvQuery = RangeQuery.extend({
  part: z.enum(["workers", "grids"]).default("workers").openapi({ description: "Which table of the report" }),
});

export type Range = { from: string; to: string; today: string };

/** The range asked for, defaulted and checked: from ≤ to, at most about three years. */
export function resolveRange(q: {
  today?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}): { ok: true; range: Range } | { ok: false; zh: string; en: string } {
  const today = q.today ?? localToday();
  const to = q.to ?? today;
  const from = q.from ?? `${to.slice(0, 7)}-01`;
  if (from > to) return { ok: false, zh: "起始日期晚于结束日期", en: "from is after to" };
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (days > 1100) return { ok: false, zh: "时间范围不能超过三年", en: "the range cannot exceed three years" };
  return { ok: true, range: { from, to, today } };
}
