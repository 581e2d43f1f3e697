import { sql } from "kysely";
import { type Principal, scopeCondition } from "../../auth/principal.ts";
import type { Db } from "../../db/db.ts";
import { placeCondition } from "../../db/postgis.ts";
import type { StatsQueryInput } from "./hazards.input.ts";
import { dayEnd, filteredHazards, likePattern, TZ } from "./hazards.queries.ts";

/**
 * The statistics panel's figures for one filter (the same filter as the map's hazards; place and text apply to the
 * venues too, `venue_category` picks the venues):
 * - counts: hazards per community × category × status (the panel sums them any way it likes);
 * - remediation: days from report to the (last) fix, over the hazards resolved or verified, median and longest;
 * - months: hazards reported, resolved and verified (closed) per month (CST), gaps filled with zeros;
 * - venues: per category, how many venues, and how many are overdue, never inspected, due within the week, closed.
 */
export async function hazardStats(db: Db, p: Principal, f: StatsQueryInput) {
  const { venue_category, ...filter } = f;
  const base = filteredHazards(db, p, filter);
  const cutoff = filter.as_of ? sql`and t.at < ${dayEnd(filter.as_of)}` : sql``;

  const counts = await sql<{ community_code: string | null; category: string; status: string; count: number }>`
    with h as ${base}
    select h.community_code, h.category, h.status, count(*)::int as count
    from h group by 1, 2, 3 order by 1, 2, 3`.execute(db);

  const remediation = await sql<{
    count: number;
    median_days: number | null;
    longest_days: number | null;
    longest_id: number | null;
  }>`
    with h as ${base},
    d as (select h.id, extract(epoch from h.resolved_at - h.reported_at) / 86400.0 as days
          from h where h.resolved_at is not null)
    select count(*)::int as count,
      percentile_cont(0.5) within group (order by d.days)::float8 as median_days,
      max(d.days)::float8 as longest_days,
      (array_agg(d.id order by d.days desc, d.id))[1] as longest_id
    from d`.execute(db);

  const months = await sql<{ month: string; opened: number; resolved: number; verified: number }>`
    with h as ${base},
    ev as (
      select to_char(h.reported_at at time zone ${sql.lit(TZ)}, 'YYYY-MM') as month, 'opened' as kind, h.id from h
      union all
      select to_char(t.at at time zone ${sql.lit(TZ)}, 'YYYY-MM'), t.to_status, t.hazard_id
      from hazard_transition t join h on h.id = t.hazard_id
      where t.to_status in ('resolved', 'verified') ${cutoff})
    select ev.month,
      (count(*) filter (where ev.kind = 'opened'))::int as opened,
      (count(distinct ev.id) filter (where ev.kind = 'resolved'))::int as resolved,
      (count(distinct ev.id) filter (where ev.kind = 'verified'))::int as verified
    from ev group by ev.month order by ev.month`.execute(db);

  const venues = await db
    .selectFrom("venue as v")
    .innerJoin("venue_category as vc", "vc.code", "v.category")
    .innerJoin("venue_inspection_status as s", "s.venue_id", "v.id")
    .select([
      "v.category",
      "vc.name_zh",
      "vc.name_en",
      "vc.inspection_interval_days",
      sql<number>`count(*)::int`.as("venues"),
      sql<number>`(count(*) filter (where s.status = 'overdue'))::int`.as("overdue"),
      sql<number>`(count(*) filter (where s.status = 'never'))::int`.as("never"),
      sql<number>`(count(*) filter (where s.status = 'due'))::int`.as("due"),
      sql<number>`(count(*) filter (where s.status = 'closed'))::int`.as("closed"),
    ])
    .where(placeCondition(filter, { geom: "v.geom", parcelId: "v.parcel_id", community: "v.community_code" }))
    .where(scopeCondition(p, { community: "v.community_code", parcelId: "v.parcel_id" }))
    .$if(!!venue_category?.length, (q) => q.where("v.category", "in", venue_category ?? []))
    .$if(!!filter.q, (q) => {
      const like = likePattern(filter.q ?? "");
      return q.where(sql<boolean>`(v.name ilike ${like} or v.address ilike ${like})`);
    })
    .groupBy(["v.category", "vc.name_zh", "vc.name_en", "vc.inspection_interval_days"])
    .orderBy("v.category")
    .execute();

  const round = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
  const r = remediation.rows[0]!;
  return {
    counts: counts.rows,
    total: counts.rows.reduce((n, c) => n + c.count, 0),
    open: counts.rows
      .filter((c) => c.status === "reported" || c.status === "assigned" || c.status === "in_progress")
      .reduce((n, c) => n + c.count, 0),
    remediation: {
      count: r.count,
      median_days: round(r.median_days),
      longest_days: round(r.longest_days),
      longest_id: r.longest_id,
    },
    months: fillMonths(months.rows),
    venues,
  };
}

/** Every month from the first to the last one present, so a chart's gaps read as zeros rather than vanish. */
export function fillMonths<T extends { month: string }>(rows: T[]): Array<T | (Omit<T, "month"> & { month: string })> {
  if (rows.length === 0) return [];
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  const zero = Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, 0])) as Omit<T, "month">;
  const out: Array<T | (Omit<T, "month"> & { month: string })> = [];
  let [y, m] = rows[0]!.month.split("-").map(Number) as [number, number];
  const last = rows[rows.length - 1]!.month;
  for (;;) {
    const month = `${y}-${String(m).padStart(2, "0")}`;
    out.push(byMonth.get(month) ?? { ...zero, month });
    if (month >= last) break;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}
