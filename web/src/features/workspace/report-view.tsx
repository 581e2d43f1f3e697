import { useEffect, useState } from "react";
import {
  type ApiError,
  type CommunitySummary,
  type CoverageReport,
  fetchCommunitySummary,
  fetchCoverageReport,
  reportFileUrl,
  toApiError,
} from "../../api.ts";
import { localName, type MessageKey, useLang } from "../../i18n/lang.ts";
import { today as subdistrictToday } from "../../i18n/time.ts";
import { ErrorText } from "../../ui/form.tsx";
import { TableHead } from "../../ui/table-head.tsx";
import { percent } from "./grid-card.tsx";

const ROLE_KEYS: Record<string, MessageKey> = {
  secretary: "worker.role.secretary",
  grid_leader: "worker.role.grid_leader",
  grid_worker: "worker.role.grid_worker",
  info_worker: "worker.role.info_worker",
};

/** The last day of a YYYY-MM month, or `today` when the month is the current one. */
function monthRange(month: string, today: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return { from: `${month}-01`, to: last > today ? today : last };
}

/**
 * The monthly coverage report of a community, to read, print or download (XLSX, CSV), and the paragraph for the
 * annual report over any range of days, with a copy button.
 */
export function ReportView(props: {
  community: { code: string; name: string; name_en: string | null };
  today: string | null;
}) {
  const { lang, t } = useLang();
  const today = props.today ?? subdistrictToday();
  const [month, setMonth] = useState(today.slice(0, 7));
  const { from: monthFrom, to: monthTo } = monthRange(month, today);
  const range = { from: monthFrom, to: monthTo };
  const [report, setReport] = useState<CoverageReport | null>(null);
  const [from, setFrom] = useState(`${today.slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today);
  const [summary, setSummary] = useState<CommunitySummary | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    fetchCoverageReport(props.community.code, { from: monthFrom, to: monthTo }).then(setReport, (e: unknown) =>
      setError(toApiError(e)),
    );
  }, [props.community.code, monthFrom, monthTo]);

  useEffect(() => {
    if (from > to) return;
    fetchCommunitySummary(props.community.code, { from, to, today }).then(setSummary, (e: unknown) =>
      setError(toApiError(e)),
    );
  }, [props.community.code, from, to, today]);

  const paragraph = summary ? (lang === "zh" ? summary.zh : summary.en) : "";
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(paragraph);
    } catch {
      // Without clipboard access (plain http), select the text so that Ctrl+C copies it.
      const el = document.querySelector<HTMLElement>("[data-testid=summary-text]");
      if (el) window.getSelection()?.selectAllChildren(el);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };

  return (
    <div className="ws-report" data-testid="report">
      <section className="ws-summary no-print">
        <h3>{t("workspace.summary.title")}</h3>
        <div className="ws-filters no-print">
          <label>
            {t("workspace.from")}{" "}
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="summary-from" />
          </label>
          <label>
            {t("workspace.to")}{" "}
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="summary-to" />
          </label>
          <button type="button" onClick={copy} disabled={!paragraph} data-testid="summary-copy">
            {copied ? t("workspace.summary.copied") : t("workspace.summary.copy")}
          </button>
        </div>
        <p className="ws-paragraph" data-testid="summary-text">
          {paragraph}
        </p>
      </section>

      <section>
        <h3 className="print-title">
          {localName(lang, props.community)} · {t("workspace.report.title")} {range.from} – {range.to}
        </h3>
        <div className="ws-filters no-print">
          <label>
            {t("workspace.report.month")}{" "}
            <input
              type="month"
              value={month}
              max={today.slice(0, 7)}
              onChange={(e) => e.target.value && setMonth(e.target.value)}
              data-testid="report-month"
            />
          </label>
          <button type="button" onClick={() => window.print()} data-testid="report-print">
            {t("workspace.report.print")}
          </button>
          <a className="ws-button" href={reportFileUrl(props.community.code, "xlsx", range)} data-testid="report-xlsx">
            XLSX
          </a>
          <a className="ws-button" href={reportFileUrl(props.community.code, "workers.csv", range)}>
            CSV · {t("workspace.report.workers")}
          </a>
          <a className="ws-button" href={reportFileUrl(props.community.code, "grids.csv", range)}>
            CSV · {t("workspace.report.grids")}
          </a>
        </div>
        <ErrorText error={error} />
        {report && (
          <>
            <dl className="ws-figures" data-testid="report-totals">
              <div>
                <dt>{t("workspace.report.visits")}</dt>
                <dd>{report.totals.visits}</dd>
              </div>
              <div>
                <dt>{t("workspace.report.reached")}</dt>
                <dd>
                  {report.totals.entrances_reached} / {report.totals.entrances} ({percent(report.totals.share)})
                </dd>
              </div>
              <div>
                <dt>{t("workspace.report.neverVisited")}</dt>
                <dd>
                  {report.totals.grids_never_visited.length
                    ? report.totals.grids_never_visited.map((c) => c.slice(-3)).join(" ")
                    : "—"}
                </dd>
              </div>
            </dl>
            <h4>{t("workspace.report.workers")}</h4>
            <table className="ws-table" data-testid="report-workers">
              <TableHead
                columns={[
                  "worker.name",
                  "worker.role",
                  "worker.grids",
                  "workspace.report.visits",
                  "workspace.report.reached",
                  "workspace.report.share",
                  "workspace.report.notVisited",
                ]}
              />
              <tbody>
                {report.workers
                  .filter((w) => w.role !== "secretary")
                  .map((w) => (
                    <tr key={w.id}>
                      <td>{w.name}</td>
                      <td>{t(ROLE_KEYS[w.role] ?? "worker.role.info_worker")}</td>
                      <td>{w.grids.map((c) => c.slice(-3)).join(" ")}</td>
                      <td>{w.visits}</td>
                      <td>
                        {w.entrances_reached} / {w.entrances_in_grids}
                      </td>
                      <td>{percent(w.share)}</td>
                      <td>{w.grids_not_visited.map((c) => c.slice(-3)).join(" ") || "—"}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
            <h4>{t("workspace.report.grids")}</h4>
            <table className="ws-table">
              <TableHead
                columns={[
                  "grid.code",
                  "workspace.report.visits",
                  "workspace.report.reached",
                  "workspace.report.share",
                  "workspace.report.lastVisit",
                ]}
              />
              <tbody>
                {report.grids.map((g) => (
                  <tr key={g.code}>
                    <td>{g.code}</td>
                    <td>{g.visits}</td>
                    <td>
                      {g.entrances_reached} / {g.entrances}
                    </td>
                    <td>{percent(g.share)}</td>
                    <td>{g.last_visit_on ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </div>
  );
}
