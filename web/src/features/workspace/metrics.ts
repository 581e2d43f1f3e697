import type { GridStatusRow } from "../../api.ts";
import type { MessageKey, Translate } from "../../i18n/lang.ts";

/** What the map colours grids by. */
export type MetricId = "status" | "households" | "team" | "coverage" | "hazards" | "inspections" | "cameras";
export const METRICS: MetricId[] = ["status", "households", "team", "coverage", "hazards", "inspections", "cameras"];

export type Bin = { key: string; color: string; label: string };
export type Metric = {
  id: MetricId;
  title: MessageKey;
  bins: Bin[];
  classify: (row: GridStatusRow, extra: Extra) => string;
};
/** What a metric may need beyond the status row: camera coverage per grid, when the coverage API answers. */
export type Extra = { cameras: Map<string, number | null> | null };

const NONE = "#c8c8c8";
/**
 * Colour-blind-safe scales: Okabe–Ito for categories (the same blue/green/vermilion as the band on the main map),
 * ColorBrewer RdYlBu for shares, from red (bad) to blue (good), which also separates in grey.
 */
const LEVEL = { ok: "#009e73", attention: "#e69f00", critical: "#d55e00" };
const SHARE = ["#d73027", "#fc8d59", "#91bfdb", "#4575b4"];
const COUNT = [NONE, "#fdae61", "#f46d43", "#a50026"];

const share = (v: number | null, cuts: [number, number, number]) =>
  v === null ? "none" : v < cuts[0] ? "0" : v < cuts[1] ? "1" : v < cuts[2] ? "2" : "3";

export function metric(id: MetricId, t: Translate, band: { min: number; max: number }): Metric {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  switch (id) {
    case "status":
      return {
        id,
        title: "workspace.metric.status",
        bins: [
          { key: "ok", color: LEVEL.ok, label: t("workspace.status.ok") },
          { key: "attention", color: LEVEL.attention, label: t("workspace.status.attention") },
          { key: "critical", color: LEVEL.critical, label: t("workspace.status.critical") },
        ],
        classify: (r) => r.status,
      };
    case "households":
      return {
        id,
        title: "workspace.metric.households",
        bins: [
          { key: "under", color: "#56b4e9", label: t("band.legend.under", { min: band.min }) },
          { key: "ok", color: "#009e73", label: t("band.legend.ok", band) },
          { key: "over", color: "#d55e00", label: t("band.legend.over", { max: band.max }) },
        ],
        classify: (r) => r.band.status,
      };
    case "team":
      return {
        id,
        title: "workspace.metric.team",
        bins: [
          { key: "full", color: LEVEL.ok, label: t("workspace.team.full") },
          { key: "partial", color: LEVEL.attention, label: t("workspace.team.partial") },
          { key: "no_worker", color: LEVEL.critical, label: t("workspace.team.noWorker") },
        ],
        classify: (r) =>
          r.workers.grid_worker === 0
            ? "no_worker"
            : r.workers.grid_leader === 0 || r.workers.info_worker === 0
              ? "partial"
              : "full",
      };
    case "coverage":
      return {
        id,
        title: "workspace.metric.coverage",
        bins: [
          { key: "0", color: SHARE[0]!, label: `< ${pct(0.5)}` },
          { key: "1", color: SHARE[1]!, label: `${pct(0.5)}–${pct(0.8)}` },
          { key: "2", color: SHARE[2]!, label: `${pct(0.8)}–${pct(0.95)}` },
          { key: "3", color: SHARE[3]!, label: `≥ ${pct(0.95)}` },
          { key: "none", color: NONE, label: t("workspace.metric.noData") },
        ],
        classify: (r) => share(r.visit_coverage_30d, [0.5, 0.8, 0.95]),
      };
    case "hazards":
      return {
        id,
        title: "workspace.metric.hazards",
        bins: [
          { key: "0", color: COUNT[0]!, label: t("workspace.metric.none") },
          { key: "1", color: COUNT[1]!, label: "1" },
          { key: "2", color: COUNT[2]!, label: "≥ 2" },
          { key: "high", color: COUNT[3]!, label: t("workspace.metric.highOpen") },
        ],
        classify: (r) =>
          r.hazards_open.high > 0 ? "high" : r.hazards_open.total >= 2 ? "2" : r.hazards_open.total === 1 ? "1" : "0",
      };
    case "inspections":
      return {
        id,
        title: "workspace.metric.inspections",
        bins: [
          { key: "0", color: COUNT[0]!, label: t("workspace.metric.none") },
          { key: "1", color: COUNT[1]!, label: "1" },
          { key: "2", color: COUNT[2]!, label: "2–3" },
          { key: "3", color: COUNT[3]!, label: "≥ 4" },
        ],
        classify: (r) =>
          r.inspections_overdue === 0
            ? "0"
            : r.inspections_overdue === 1
              ? "1"
              : r.inspections_overdue <= 3
                ? "2"
                : "3",
      };
    case "cameras":
      return {
        id,
        title: "workspace.metric.cameras",
        bins: [
          { key: "0", color: SHARE[0]!, label: `< ${pct(0.25)}` },
          { key: "1", color: SHARE[1]!, label: `${pct(0.25)}–${pct(0.5)}` },
          { key: "2", color: SHARE[2]!, label: `${pct(0.5)}–${pct(0.75)}` },
          { key: "3", color: SHARE[3]!, label: `≥ ${pct(0.75)}` },
          { key: "none", color: NONE, label: t("workspace.metric.noData") },
        ],
        classify: (r, extra) => share(extra.cameras?.get(r.code) ?? null, [0.25, 0.5, 0.75]),
      };
  }
}

export const LEVEL_COLORS = LEVEL;
