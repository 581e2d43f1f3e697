import { useMemo, useState } from "react";
import type { CommunityStatusRow, GridStatusRow } from "../../api.ts";
import { formatNumber, localName, useLang } from "../../i18n/lang.ts";
import { type SortColumn, valueColumn } from "../../ui/sort-column.ts";
import { percent } from "./grid-card.tsx";
import { StatusBadge } from "./status-badge.tsx";

type Level = "ok" | "attention" | "critical";
const LEVEL_RANK: Record<Level, number> = { ok: 0, attention: 1, critical: 2 };

/** A figure that may be missing (no workers to share the households between). */
const orDash = (v: number | null) => String(v ?? "—");

function useSorted<R>(rows: R[], columns: SortColumn<R>[], initial: string) {
  const [sort, setSort] = useState<{ key: string; desc: boolean }>({ key: initial, desc: true });
  const sorted = useMemo(() => {
    const col = columns.find((c) => c.key === sort.key) ?? columns[0]!;
    return [...rows].sort((a, b) => {
      const x = col.value(a);
      const y = col.value(b);
      const cmp = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      return sort.desc ? -cmp : cmp;
    });
  }, [rows, columns, sort]);
  const header = (c: SortColumn<R>, label: string) => (
    <th key={c.key} aria-sort={sort.key === c.key ? (sort.desc ? "descending" : "ascending") : "none"}>
      <button
        type="button"
        className="ws-sort"
        onClick={() => setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : true }))}
        data-testid={`sort-${c.key}`}
      >
        {label}
        {sort.key === c.key ? (sort.desc ? " ▼" : " ▲") : ""}
      </button>
    </th>
  );
  return { sorted, header };
}

/** The grids of a community: sortable by any column, filterable by status and text, a click opens the card. */
export function StatusTable(props: {
  rows: GridStatusRow[];
  selected: string | null;
  onSelect: (code: string) => void;
}) {
  const { lang, t } = useLang();
  const [filter, setFilter] = useState<"all" | Level | "not_ok">("all");
  const [text, setText] = useState("");
  const columns = useMemo<SortColumn<GridStatusRow>[]>(() => {
    const n = (v: number) => formatNumber(lang, v);
    return [
      {
        key: "status",
        label: "workspace.col.status",
        value: (r) => LEVEL_RANK[r.status] * 100 + r.reasons.length,
        show: () => "",
      },
      { key: "code", label: "grid.code", value: (r) => r.code, show: (r) => r.code.slice(-3) },
      valueColumn("households", "grid.households", (r: GridStatusRow) => r.households, n),
      valueColumn("entrances", "grid.entrances", (r: GridStatusRow) => r.entrances, n),
      valueColumn("buildings", "grid.buildings", (r: GridStatusRow) => r.buildings, n),
      {
        key: "team",
        label: "workspace.col.team",
        value: (r) => r.workers.grid_leader + r.workers.grid_worker + r.workers.info_worker,
        show: (r) => `${r.workers.grid_leader}/${r.workers.grid_worker}/${r.workers.info_worker}`,
      },
      valueColumn("per_worker", "workspace.col.perWorker", (r: GridStatusRow) => r.households_per_worker, orDash),
      valueColumn("coverage30", "workspace.col.coverage30", (r: GridStatusRow) => r.visit_coverage_30d, percent),
      valueColumn(
        "coverageMonth",
        "workspace.col.coverageMonth",
        (r: GridStatusRow) => r.visit_coverage_month,
        percent,
      ),
      valueColumn("venues", "workspace.col.venues", (r: GridStatusRow) => r.venues, String),
      valueColumn("overdue", "workspace.col.overdue", (r: GridStatusRow) => r.inspections_overdue, String),
      {
        key: "hazards",
        label: "workspace.col.hazards",
        value: (r) => r.hazards_open.high * 1000 + r.hazards_open.total,
        show: (r) =>
          r.hazards_open.total === 0
            ? "0"
            : `${r.hazards_open.total} (${r.hazards_open.high}/${r.hazards_open.medium}/${r.hazards_open.low})`,
      },
      {
        key: "oldest",
        label: "workspace.col.oldest",
        value: (r) => r.hazards_open.oldest_days,
        show: (r) =>
          r.hazards_open.oldest_days === null ? "—" : t("workspace.days", { n: r.hazards_open.oldest_days }),
      },
    ];
  }, [lang, t]);
  const shown = props.rows.filter(
    (r) =>
      (filter === "all" || (filter === "not_ok" ? r.status !== "ok" : r.status === filter)) &&
      (text === "" ||
        r.code.includes(text) ||
        r.name.includes(text) ||
        r.reasons.some((x) => x.zh.includes(text) || x.en.toLowerCase().includes(text.toLowerCase()))),
  );
  const { sorted, header } = useSorted(shown, columns, "status");
  return (
    <div className="ws-table-wrap">
      <div className="ws-filters">
        <label>
          {t("workspace.filter.status")}{" "}
          <select
            value={filter}
            onChange={(e) => setFilter(e.target.value as typeof filter)}
            data-testid="status-filter"
          >
            <option value="all">{t("workspace.filter.all")}</option>
            <option value="not_ok">{t("workspace.filter.notOk")}</option>
            <option value="critical">{t("workspace.status.critical")}</option>
            <option value="attention">{t("workspace.status.attention")}</option>
            <option value="ok">{t("workspace.status.ok")}</option>
          </select>
        </label>
        <input
          type="search"
          placeholder={t("workspace.filter.text")}
          value={text}
          onChange={(e) => setText(e.target.value.trim())}
          data-testid="status-search"
        />
        <span className="muted">{t("workspace.filter.count", { n: sorted.length, total: props.rows.length })}</span>
      </div>
      <table className="ws-table" data-testid="status-table">
        <thead>
          <tr>{columns.map((c) => header(c, t(c.label)))}</tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr
              key={r.code}
              className={r.code === props.selected ? "ws-selected" : undefined}
              onClick={() => props.onSelect(r.code)}
              data-testid={`status-row-${r.code}`}
              data-code={r.code}
            >
              {columns.map((c) =>
                c.key === "status" ? (
                  <td key={c.key} className="ws-status-cell">
                    <StatusBadge status={r.status} />
                    {r.reasons.length > 0 && (
                      <span className="ws-reasons-inline">
                        {r.reasons.map((x) => (lang === "zh" ? x.zh : x.en)).join("；")}
                      </span>
                    )}
                  </td>
                ) : c.key === "code" ? (
                  <td key={c.key}>
                    <button type="button" className="ws-link" title={r.code}>
                      {r.code.slice(-3)}
                    </button>
                  </td>
                ) : (
                  <td key={c.key} data-col={c.key}>
                    {c.show(r)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The subdistrict's communities side by side, for planners and leaders; a click opens the community. */
export function SubdistrictTable(props: { rows: CommunityStatusRow[]; onSelect: (code: string) => void }) {
  const { lang, t } = useLang();
  const columns = useMemo<SortColumn<CommunityStatusRow>[]>(() => {
    const n = (v: number) => formatNumber(lang, v);
    return [
      {
        key: "status",
        label: "workspace.col.status",
        value: (r) => LEVEL_RANK[r.status] * 1000 + r.grids_by_status.critical,
        show: () => "",
      },
      { key: "name", label: "community.filter", value: (r) => r.code, show: (r) => localName(lang, r) },
      {
        key: "grids",
        label: "workspace.col.grids",
        value: (r) => r.grids,
        show: (r) =>
          `${r.grids} (${r.grids_by_status.ok}/${r.grids_by_status.attention}/${r.grids_by_status.critical})`,
      },
      valueColumn("households", "grid.households", (r: CommunityStatusRow) => r.households, n),
      {
        key: "team",
        label: "workspace.col.team",
        value: (r) => r.workers.grid_worker,
        show: (r) => `${r.workers.grid_leader}/${r.workers.grid_worker}/${r.workers.info_worker}`,
      },
      valueColumn("per_worker", "workspace.col.perWorker", (r: CommunityStatusRow) => r.households_per_worker, orDash),
      valueColumn("coverage30", "workspace.col.coverage30", (r: CommunityStatusRow) => r.visit_coverage_30d, percent),
      valueColumn(
        "coverageMonth",
        "workspace.col.coverageMonth",
        (r: CommunityStatusRow) => r.visit_coverage_month,
        percent,
      ),
      {
        key: "overdue",
        label: "workspace.col.overdue",
        value: (r) => r.inspections_overdue,
        show: (r) => `${r.inspections_overdue} / ${r.venues}`,
      },
      {
        key: "hazards",
        label: "workspace.col.hazards",
        value: (r) => r.hazards_open.high * 1000 + r.hazards_open.total,
        show: (r) => `${r.hazards_open.total} (${r.hazards_open.high}/${r.hazards_open.medium}/${r.hazards_open.low})`,
      },
    ];
  }, [lang]);
  const { sorted, header } = useSorted(props.rows, columns, "status");
  return (
    <div className="ws-table-wrap">
      <table className="ws-table" data-testid="subdistrict-table">
        <thead>
          <tr>{columns.map((c) => header(c, t(c.label)))}</tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={r.code} onClick={() => props.onSelect(r.code)} data-testid={`community-row-${r.code}`}>
              {columns.map((c) =>
                c.key === "status" ? (
                  <td key={c.key} className="ws-status-cell">
                    <StatusBadge status={r.status} />
                    <span className="ws-reasons-inline">
                      {r.reasons
                        .slice(0, 2)
                        .map((x) => (lang === "zh" ? x.zh : x.en))
                        .join("；")}
                    </span>
                  </td>
                ) : (
                  <td key={c.key}>
                    {c.key === "name" ? (
                      <button type="button" className="ws-link">
                        {c.show(r)}
                      </button>
                    ) : (
                      c.show(r)
                    )}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
