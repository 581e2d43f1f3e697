/**
 * When a grid needs attention, and why. Pure rules over the figures the queries compute, so the thresholds are
 * read in one place and tested without a database.
 */

import type { BandStatus } from "../../db/band.ts";

export type Level = "ok" | "attention" | "critical";
export type Reason = { code: string; level: Exclude<Level, "ok">; zh: string; en: string };

/** Visit coverage of the last 30 days under this is critical; under TARGET it needs attention. */
export const COVERAGE_CRITICAL = 0.5;
/** The standard is a monthly visit to every household; a fifth missed in 30 days is worth a look. */
export const COVERAGE_TARGET = 0.8;
/** An open hazard older than this needs attention even when it is not severe. */
export const HAZARD_STALE_DAYS = 30;

export type Team = { grid_leader: number; grid_worker: number; info_worker: number };
export type HazardsOpen = {
  total: number;
  high: number;
  medium: number;
  low: number;
  oldest_reported_on: string | null;
  oldest_days: number | null;
};

export type Figures = {
  households: number;
  band_min: number;
  band_max: number;
  /** The households against the band, as SQL's band_status() has it. */
  band_status: BandStatus;
  /** Entrances with households: the doors a monthly visit is meant to reach. */
  entrances_with_households: number;
  entrances_visited_30d: number;
  entrances_visited_month: number;
  workers: Team;
  inspections_overdue: number;
  /** Overdue by more than a whole further interval. */
  inspections_overdue_long: number;
  hazards_open: HazardsOpen;
};

export type Assessment = {
  households_per_worker: number | null;
  visit_coverage_30d: number | null;
  visit_coverage_month: number | null;
  status: Level;
  reasons: Reason[];
};

const pct = (x: number) => `${Math.round(x * 100)}%`;
const share = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1000) / 1000 : null);

/** The rules of one grid: its band, its team, its visits, its venues, its hazards. */
export function assessGrid(f: Figures): Assessment {
  const reasons: Reason[] = [];
  const add = (code: string, level: Reason["level"], zh: string, en: string) => reasons.push({ code, level, zh, en });

  if (f.band_status === "under") {
    add(
      "households_under",
      "attention",
      `户数 ${f.households}，低于标准下限 ${f.band_min}`,
      `${f.households} households, under the band's ${f.band_min}`,
    );
  } else if (f.band_status === "over") {
    add(
      "households_over",
      "attention",
      `户数 ${f.households}，高于标准上限 ${f.band_max}`,
      `${f.households} households, over the band's ${f.band_max}`,
    );
  }

  if (f.workers.grid_worker === 0) add("no_grid_worker", "critical", "未配备网格员", "no grid worker");
  if (f.workers.grid_leader === 0) add("no_grid_leader", "attention", "未配备网格长", "no grid leader");
  if (f.workers.info_worker === 0) add("no_info_worker", "attention", "未配备网情员", "no information worker");

  const coverage30 = share(f.entrances_visited_30d, f.entrances_with_households);
  if (coverage30 !== null && coverage30 < COVERAGE_CRITICAL) {
    add(
      "coverage_low",
      "critical",
      `近30天走访覆盖 ${pct(coverage30)}（低于 ${pct(COVERAGE_CRITICAL)}）`,
      `visit coverage in the last 30 days ${pct(coverage30)} (under ${pct(COVERAGE_CRITICAL)})`,
    );
  } else if (coverage30 !== null && coverage30 < COVERAGE_TARGET) {
    add(
      "coverage_below_target",
      "attention",
      `近30天走访覆盖 ${pct(coverage30)}（低于 ${pct(COVERAGE_TARGET)}）`,
      `visit coverage in the last 30 days ${pct(coverage30)} (under ${pct(COVERAGE_TARGET)})`,
    );
  }

  if (f.inspections_overdue_long > 0) {
    add(
      "inspections_overdue_long",
      "critical",
      `${f.inspections_overdue_long} 处场所超期超过一个排查周期`,
      `${f.inspections_overdue_long} venue(s) overdue by more than a full inspection interval`,
    );
  }
  if (f.inspections_overdue > f.inspections_overdue_long) {
    add(
      "inspections_overdue",
      "attention",
      `${f.inspections_overdue} 处场所超期未排查`,
      `${f.inspections_overdue} venue(s) overdue for inspection`,
    );
  }

  const h = f.hazards_open;
  if (h.high > 0) {
    add("hazards_high_open", "critical", `${h.high} 处高风险隐患未整改`, `${h.high} high-severity hazard(s) open`);
  }
  if (h.oldest_days !== null && h.oldest_days > HAZARD_STALE_DAYS) {
    add(
      "hazard_open_long",
      "attention",
      `最早一处隐患已 ${h.oldest_days} 天未整改`,
      `the oldest open hazard has been open ${h.oldest_days} days`,
    );
  }

  const fieldWorkers = f.workers.grid_worker + f.workers.info_worker;
  reasons.sort((a, b) => (a.level === b.level ? 0 : a.level === "critical" ? -1 : 1));
  return {
    households_per_worker: fieldWorkers > 0 ? Math.round(f.households / fieldWorkers) : null,
    visit_coverage_30d: coverage30,
    visit_coverage_month: share(f.entrances_visited_month, f.entrances_with_households),
    status: worst(reasons.map((r) => r.level)),
    reasons,
  };
}

export function worst(levels: Level[]): Level {
  if (levels.includes("critical")) return "critical";
  return levels.includes("attention") ? "attention" : "ok";
}

/**
 * A community's status from its grids': critical when a quarter of its grids are critical, attention when a
 * quarter need attention or any is critical. One bad grid of twenty should not paint the whole community red.
 */
export function assessCommunity(grids: Array<{ status: Level; reasons: Reason[] }>): {
  status: Level;
  reasons: Reason[];
  grids_by_status: Record<Level, number>;
} {
  const by: Record<Level, number> = { ok: 0, attention: 0, critical: 0 };
  for (const g of grids) by[g.status] += 1;
  const n = grids.length;
  const status: Level =
    n > 0 && by.critical / n >= 0.25
      ? "critical"
      : by.critical > 0 || (n > 0 && (by.attention + by.critical) / n >= 0.25)
        ? "attention"
        : "ok";
  // One line per kind of reason, with how many grids have it, most widespread first.
  const tally = new Map<string, { reason: Reason; grids: number }>();
  for (const g of grids) {
    for (const r of g.reasons) {
      const t = tally.get(r.code);
      if (t) t.grids += 1;
      else tally.set(r.code, { reason: r, grids: 1 });
    }
  }
  const reasons = [...tally.values()]
    .sort((a, b) => b.grids - a.grids)
    .map(({ reason, grids: k }) => ({
      code: reason.code,
      level: reason.level,
      zh: `${k} 个网格：${REASON_NAMES[reason.code]?.zh ?? reason.code}`,
      en: `${k} grid(s): ${REASON_NAMES[reason.code]?.en ?? reason.code}`,
    }));
  return { status, reasons, grids_by_status: by };
}

/** Each reason in general words, for counting grids by reason. */
export const REASON_NAMES: Record<string, { zh: string; en: string }> = {
  households_under: { zh: "户数低于标准", en: "households under the band" },
  households_over: { zh: "户数高于标准", en: "households over the band" },
  no_grid_worker: { zh: "未配备网格员", en: "no grid worker" },
  no_grid_leader: { zh: "未配备网格长", en: "no grid leader" },
  no_info_worker: { zh: "未配备网情员", en: "no information worker" },
  coverage_low: {
    zh: `近30天走访覆盖低于 ${pct(COVERAGE_CRITICAL)}`,
    en: `visit coverage under ${pct(COVERAGE_CRITICAL)}`,
  },
  coverage_below_target: {
    zh: `近30天走访覆盖低于 ${pct(COVERAGE_TARGET)}`,
    en: `visit coverage under ${pct(COVERAGE_TARGET)}`,
  },
  inspections_overdue: { zh: "场所超期未排查", en: "venues overdue for inspection" },
  inspections_overdue_long: { zh: "场所超期超过一个周期", en: "venues overdue by a full interval" },
  hazards_high_open: { zh: "高风险隐患未整改", en: "high-severity hazards open" },
  hazard_open_long: {
    zh: `隐患超过 ${HAZARD_STALE_DAYS} 天未整改`,
    en: `hazards open over ${HAZARD_STALE_DAYS} days`,
  },
};
