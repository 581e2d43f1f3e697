import { lazy, Suspense, useMemo, useState } from "react";
import { changeVenueInterval, type HazardCategory, type HazardStats, type VenueCategory } from "../../api.ts";
import { formatNumber, localName, type MessageKey, useLang } from "../../i18n/lang.ts";
import { TableHead } from "../../ui/table-head.tsx";
import { HAZARD_STATUSES } from "./filters.ts";

// ECharts is large: it loads with the first chart, not with the app.
const MonthChart = lazy(() => import("./month-chart.tsx"));

/**
 * The figures under the map's filters: hazards per community and status, per category, time to remediate (median
 * and longest), venues overdue by their category's interval (which admins and planners may change here), and
 * hazards opened and closed per month.
 */
export function StatsPanel(props: {
  open: boolean;
  onToggle: () => void;
  stats: HazardStats | null;
  communities: Array<{ code: string; name: string; name_en: string | null }>;
  hazardCategories: HazardCategory[];
  venueCategories: VenueCategory[];
  mayConfigure: boolean;
  onIntervalChanged: () => void;
  onFail: (err: unknown) => void;
  onOpenHazard: (id: number) => void;
}) {
  const { lang, t } = useLang();
  const s = props.stats;
  const perCommunity = useMemo(() => {
    const rows = new Map<string, Record<string, number>>();
    for (const c of s?.counts ?? []) {
      const key = c.community_code ?? "";
      const row = rows.get(key) ?? {};
      row[c.status] = (row[c.status] ?? 0) + c.count;
      row.total = (row.total ?? 0) + c.count;
      rows.set(key, row);
    }
    return [...rows.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [s]);
  const perCategory = useMemo(() => {
    const rows = new Map<string, { total: number; open: number }>();
    for (const c of s?.counts ?? []) {
      const row = rows.get(c.category) ?? { total: 0, open: 0 };
      row.total += c.count;
      if (c.status === "reported" || c.status === "assigned" || c.status === "in_progress") row.open += c.count;
      rows.set(c.category, row);
    }
    return [...rows.entries()].sort((a, b) => b[1].total - a[1].total);
  }, [s]);
  const labels = useMemo(
    () => ({
      opened: t("hazard.stats.chartOpened"),
      resolved: t("hazard.stats.chartResolved"),
      verified: t("hazard.stats.chartVerified"),
    }),
    [t],
  );

  const communityName = (code: string) => {
    const c = props.communities.find((x) => x.code === code);
    return c ? localName(lang, c) : code || "—";
  };
  const categoryName = (code: string) => {
    const c = props.hazardCategories.find((x) => x.code === code);
    return c ? (lang === "zh" ? c.name_zh : c.name_en) : code;
  };
  const max = Math.max(1, ...perCategory.map(([, r]) => r.total));
  const days = (n: number | null) => (n === null ? "—" : t("leaderMap.days", { n: formatNumber(lang, n, 1) }));

  if (!props.open) {
    return (
      <button type="button" className="lm-stats-open" onClick={props.onToggle} data-testid="stats-open">
        {t("leaderMap.stats")}
      </button>
    );
  }
  return (
    <aside className="lm-stats" aria-label={t("leaderMap.stats")} data-testid="leader-stats">
      <header className="lm-stats-head">
        <h2>{t("leaderMap.stats")}</h2>
        <button type="button" className="lm-link" onClick={props.onToggle}>
          {t("leaderMap.statsHide")}
        </button>
      </header>
      {!s ? (
        <p className="muted">{t("leaderMap.loading")}</p>
      ) : (
        <div className="lm-stats-body">
          <dl className="stats stats-3">
            <div className="stat">
              <dt>{t("hazard.stats.title")}</dt>
              <dd data-testid="stats-total">{s.total}</dd>
            </div>
            <div className="stat">
              <dt>{t("hazard.stats.open")}</dt>
              <dd data-testid="stats-open-count">{s.open}</dd>
            </div>
            <div className="stat">
              <dt>{t("hazard.stats.fixed")}</dt>
              <dd>{s.total - s.open}</dd>
            </div>
            <div className="stat">
              <dt>{t("hazard.stats.median")}</dt>
              <dd data-testid="stats-median">{days(s.remediation.median_days)}</dd>
            </div>
            <div className="stat">
              <dt>{t("hazard.stats.longest")}</dt>
              <dd>
                {s.remediation.longest_id !== null ? (
                  <button
                    type="button"
                    className="lm-link"
                    onClick={() => props.onOpenHazard(s.remediation.longest_id as number)}
                  >
                    {days(s.remediation.longest_days)}
                  </button>
                ) : (
                  "—"
                )}
              </dd>
            </div>
          </dl>

          <h3 className="panel-section">{t("hazard.stats.monthly")}</h3>
          <Suspense fallback={<div className="lm-chart" />}>
            <MonthChart months={s.months} labels={labels} />
          </Suspense>

          <h3 className="panel-section">{t("hazard.stats.byCommunity")}</h3>
          <table className="lm-table lm-table-num" data-testid="stats-communities">
            <thead>
              <tr>
                <th>{t("leaderMap.community")}</th>
                {HAZARD_STATUSES.map((st) => (
                  <th key={st} title={t(`hazard.status.${st}` as MessageKey)}>
                    {t(`hazard.statusShort.${st}` as MessageKey)}
                  </th>
                ))}
                <th>{t("leaderMap.total")}</th>
              </tr>
            </thead>
            <tbody>
              {perCommunity.map(([code, row]) => (
                <tr key={code}>
                  <td>{communityName(code)}</td>
                  {HAZARD_STATUSES.map((st) => (
                    <td key={st}>{row[st] ?? 0}</td>
                  ))}
                  <td>
                    <strong>{row.total}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>

          <h3 className="panel-section">{t("hazard.stats.byCategory")}</h3>
          <ul className="lm-bars">
            {perCategory.map(([code, r]) => (
              <li key={code}>
                <span className="lm-bar-label">{categoryName(code)}</span>
                <span className="lm-bar">
                  <span className="lm-bar-all" style={{ width: `${(100 * r.total) / max}%` }} />
                  <span className="lm-bar-open" style={{ width: `${(100 * r.open) / max}%` }} />
                </span>
                <span className="lm-bar-n">
                  {r.open}/{r.total}
                </span>
              </li>
            ))}
          </ul>

          <h3 className="panel-section">{t("inspection.stats.overdue")}</h3>
          <table className="lm-table lm-table-num" data-testid="stats-overdue">
            <TableHead
              columns={[
                "venue.category",
                "inspection.stats.interval",
                "inspection.stats.venues",
                "inspection.stats.overdueCol",
                "inspection.stats.never",
              ]}
            />
            <tbody>
              {s.venues.map((v) => (
                <tr key={v.category}>
                  <td>{lang === "zh" ? v.name_zh : v.name_en}</td>
                  <td>
                    {props.mayConfigure ? (
                      <IntervalInput
                        code={v.category}
                        label={`${lang === "zh" ? v.name_zh : v.name_en} · ${t("inspection.stats.interval")}`}
                        days={v.inspection_interval_days}
                        onSaved={props.onIntervalChanged}
                        onFail={props.onFail}
                      />
                    ) : (
                      v.inspection_interval_days
                    )}
                  </td>
                  <td>{v.venues}</td>
                  <td className={v.overdue ? "lm-bad" : undefined}>{v.overdue}</td>
                  <td className={v.never ? "lm-bad" : undefined}>{v.never}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </aside>
  );
}

/** The inspection interval of a category, in days, saved when it changes (admins and planners). */
function IntervalInput(props: {
  code: string;
  /** Its accessible name: the category and the column, as a table cell has no label of its own. */
  label: string;
  days: number;
  onSaved: () => void;
  onFail: (err: unknown) => void;
}) {
  const [value, setValue] = useState(String(props.days));
  const save = () => {
    const days = Number(value);
    if (!Number.isInteger(days) || days < 1 || days === props.days) {
      setValue(String(props.days));
      return;
    }
    changeVenueInterval(props.code, days).then(props.onSaved, props.onFail);
  };
  return (
    <input
      className="lm-interval"
      type="number"
      min={1}
      max={3650}
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onBlur={save}
      onKeyDown={(e) => e.key === "Enter" && save()}
      aria-label={props.label}
      data-testid={`interval-${props.code}`}
    />
  );
}
