import type { GridCard as Card } from "../../api.ts";
import { formatNumber, type MessageKey, useLang } from "../../i18n/lang.ts";
import { StatusBadge } from "./status-badge.tsx";
import { TrendChart } from "./trend-chart.tsx";
import { SEVERITY_COLORS } from "./workspace-layers.ts";

const ROLE_KEYS: Record<string, MessageKey> = {
  secretary: "worker.role.secretary",
  grid_leader: "worker.role.grid_leader",
  grid_worker: "worker.role.grid_worker",
  info_worker: "worker.role.info_worker",
};

export const percent = (v: number | null) => (v === null ? "—" : `${Math.round(v * 100)}%`);

/**
 * One grid in depth: its status and why, its figures, its team (with contacts when the reader manages them), the
 * entrances not visited for 30 days (also on the map), its venues and open hazards and a 12-week trend.
 */
export function GridCardView(props: { card: Card; onClose: () => void; onRecordVisit?: (() => void) | undefined }) {
  const { lang, t } = useLang();
  const { grid } = props.card;
  const stale = props.card.entrances.filter((e) => e.stale);
  const n = (v: number) => formatNumber(lang, v);
  return (
    <section className="ws-card" data-testid="grid-card" aria-label={grid.name}>
      <header className="ws-card-head">
        <div>
          <h3>{lang === "zh" ? grid.name : t("grid.title", { seq: grid.code.slice(-3) })}</h3>
          <code>{grid.code}</code>
        </div>
        <button type="button" className="panel-close" onClick={props.onClose} aria-label={t("grid.close")}>
          ×
        </button>
      </header>
      <div className="ws-card-status">
        <StatusBadge status={grid.status} />
        <ul className="ws-reasons" data-testid="card-reasons">
          {grid.reasons.length === 0 && <li className="muted">{t("workspace.noReasons")}</li>}
          {grid.reasons.map((r) => (
            <li key={r.code} className={`ws-reason ws-reason-${r.level}`}>
              {lang === "zh" ? r.zh : r.en}
            </li>
          ))}
        </ul>
      </div>
      <dl className="ws-figures">
        <div>
          <dt>{t("grid.households")}</dt>
          <dd data-testid="card-households">{n(grid.households)}</dd>
        </div>
        <div>
          <dt>{t("grid.buildings")}</dt>
          <dd>{n(grid.buildings)}</dd>
        </div>
        <div>
          <dt>{t("grid.entrances")}</dt>
          <dd>{n(grid.entrances)}</dd>
        </div>
        <div>
          <dt>{t("workspace.col.coverage30")}</dt>
          <dd data-testid="card-coverage">{percent(grid.visit_coverage_30d)}</dd>
        </div>
        <div>
          <dt>{t("workspace.col.coverageMonth")}</dt>
          <dd>{percent(grid.visit_coverage_month)}</dd>
        </div>
        <div>
          <dt>{t("workspace.col.perWorker")}</dt>
          <dd>{grid.households_per_worker ?? "—"}</dd>
        </div>
      </dl>

      <h4>{t("grid.team")}</h4>
      {props.card.team_view === "counts" ? (
        <p data-testid="card-team-counts">
          {t("worker.role.grid_leader")} {grid.workers.grid_leader} · {t("worker.role.grid_worker")}{" "}
          {grid.workers.grid_worker} · {t("worker.role.info_worker")} {grid.workers.info_worker}
        </p>
      ) : (
        <ul className="ws-team" data-testid="card-team">
          {props.card.team.map((w) => (
            <li key={w.id}>
              <span className="team-role">{t(ROLE_KEYS[w.role] ?? "worker.role.info_worker")}</span>
              <span className="team-name">{w.name}</span>
              {w.phone && (
                <a className="team-phone" href={`tel:${w.phone.replace(/[^\d+]/g, "")}`}>
                  {w.phone}
                </a>
              )}
            </li>
          ))}
        </ul>
      )}

      <h4>
        {t("workspace.card.stale", { n: stale.length })}
        {props.onRecordVisit && (
          <button type="button" className="ws-link" onClick={props.onRecordVisit} data-testid="card-record-visit">
            {t("visit.record")}
          </button>
        )}
      </h4>
      {stale.length === 0 ? (
        <p className="muted">{t("workspace.card.noStale")}</p>
      ) : (
        <ul className="ws-list" data-testid="card-stale">
          {stale.map((e) => (
            <li key={e.id}>
              <span className="ws-dot" style={{ background: "#d55e00" }} aria-hidden="true" />
              {e.building_name} {t("workspace.card.entrance", { seq: e.seq })} · {n(e.households)}{" "}
              {t("workspace.card.hh")} ·{" "}
              <span className="muted">
                {e.last_visit_on ? t("visit.lastOn", { date: e.last_visit_on }) : t("visit.never")}
              </span>
            </li>
          ))}
        </ul>
      )}

      <h4>{t("workspace.card.venues", { n: props.card.venues.length })}</h4>
      <ul className="ws-list">
        {props.card.venues.map((v) => (
          <li key={v.id} className={v.overdue ? "ws-overdue" : undefined}>
            {v.name} <span className="muted">({lang === "zh" ? v.category_zh : v.category_en})</span> ·{" "}
            {v.last_inspected_on ? t("inspection.lastOn", { date: v.last_inspected_on }) : t("inspection.never")}
            {v.overdue && <strong> · {t("workspace.card.overdue")}</strong>}
          </li>
        ))}
      </ul>

      <h4>{t("workspace.card.hazards", { n: props.card.hazards.length })}</h4>
      <ul className="ws-list">
        {props.card.hazards.map((h) => (
          <li key={h.id}>
            <span
              className="ws-dot"
              style={{ background: SEVERITY_COLORS[h.severity as keyof typeof SEVERITY_COLORS] ?? "#999" }}
              aria-hidden="true"
            />
            {h.title} · {t(`hazard.severityInline.${h.severity}` as MessageKey)} ·{" "}
            {t("workspace.card.daysOpen", { n: h.days_open })}
          </li>
        ))}
      </ul>

      <h4>{t("workspace.trend.title")}</h4>
      <TrendChart weeks={props.card.trend} />
    </section>
  );
}
