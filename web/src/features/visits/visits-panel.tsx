import { useCallback, useEffect, useState } from "react";
import {
  ApiError,
  fetchGridCard,
  fetchVisits,
  fetchWorkers,
  type GridCard,
  importVisits,
  recordVisit,
  toApiError,
  type VisitImportReport,
  type VisitRow,
  type Worker,
} from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { today as subdistrictToday } from "../../i18n/time.ts";
import "./visits.css";
import { FreeTextHint } from "../../ui/free-text-hint.tsx";
import { TableHead } from "../../ui/table-head.tsx";

/** The header row, in the page's language: the server takes either (`visits.routes.ts`, COLUMNS). */
const TEMPLATE = {
  zh: "人员编号,单元编号,楼栋编号,走访日期,备注\n",
  en: "worker_id,entrance_id,building_id,visited_on,note\n",
};

/**
 * Visits of a community: record one (worker, grid, entrance, day, note), import a CSV with a report per row
 * (checked first; any bad row and nothing is imported), and the latest visits.
 */
export function VisitsPanel(props: {
  community: string;
  today: string | null;
  grids: Array<{ code: string; name: string }>;
  grid: string | null;
  onChanged: () => void;
}) {
  const { lang, t } = useLang();
  const day = props.today ?? subdistrictToday();
  const [workers, setWorkers] = useState<Worker[]>([]);
  const [grid, setGrid] = useState(props.grid ?? props.grids[0]?.code ?? "");
  const [card, setCard] = useState<GridCard | null>(null);
  const [form, setForm] = useState({ worker: "", entrance: "", visited_on: day, note: "" });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [csv, setCsv] = useState("");
  const [report, setReport] = useState<(VisitImportReport & { checked: boolean }) | null>(null);
  const [recent, setRecent] = useState<VisitRow[]>([]);
  const { community, onChanged } = props;

  // Answers to an earlier choice (another community, another grid) that arrive late are dropped: the grid first
  // shown could otherwise overwrite the entrances of the grid the user has just picked.
  useEffect(() => {
    let current = true;
    fetchWorkers(community).then(
      (l) => current && setWorkers(l.workers.filter((w) => w.role === "grid_worker" || w.role === "info_worker")),
      () => current && setWorkers([]),
    );
    return () => {
      current = false;
    };
  }, [community]);
  useEffect(() => {
    if (props.grid) setGrid(props.grid);
  }, [props.grid]);
  useEffect(() => {
    if (!grid) return;
    let current = true;
    fetchGridCard(grid, props.today).then(
      (c) => current && setCard(c),
      () => current && setCard(null),
    );
    return () => {
      current = false;
    };
  }, [grid, props.today]);
  const loadRecent = useCallback(() => {
    fetchVisits({ community, limit: 15 }).then(setRecent, () => setRecent([]));
  }, [community]);
  useEffect(loadRecent, [loadRecent]);

  // Workers of the chosen grid first: they are the ones who visit it.
  const inGrid = workers.filter((w) => w.grids.includes(grid));
  const others = workers.filter((w) => !w.grids.includes(grid));
  const entrances = [...(card?.entrances ?? [])]
    .filter((e) => e.households > 0)
    .sort((a, b) => Number(b.stale) - Number(a.stale));

  const submit = async () => {
    setMessage(null);
    try {
      await recordVisit({
        worker_id: Number(form.worker),
        entrance_id: Number(form.entrance),
        visited_on: form.visited_on,
        ...(form.note ? { note: form.note } : {}),
      });
      setMessage({ ok: true, text: t("visit.recorded") });
      setForm({ ...form, entrance: "", note: "" });
      fetchGridCard(grid, props.today).then(setCard, () => setCard(null));
      loadRecent();
      onChanged();
    } catch (e) {
      setMessage({ ok: false, text: toApiError(e).text(lang) });
    }
  };

  const runImport = async (dryRun: boolean) => {
    setMessage(null);
    setReport(null);
    try {
      const r = await importVisits(csv, dryRun);
      setReport({ ...r, checked: dryRun });
      if (!dryRun) {
        setMessage({ ok: true, text: t("visit.imported", { n: r.accepted }) });
        loadRecent();
        onChanged();
      }
    } catch (e) {
      const err = toApiError(e);
      if (err instanceof ApiError && err.code === "import_rejected" && err.details) {
        setReport({ ...(err.details as VisitImportReport), checked: true });
      }
      setMessage({ ok: false, text: err.text(lang) });
    }
  };

  return (
    <div className="visits" data-testid="visits-panel">
      <section>
        <h3>{t("visit.record")}</h3>
        <div className="visits-form">
          <label>
            {t("visit.grid")}
            <select value={grid} onChange={(e) => setGrid(e.target.value)} data-testid="visit-grid">
              {props.grids.map((g) => (
                <option key={g.code} value={g.code}>
                  {g.code.slice(-3)} {g.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("visit.worker")}
            <select
              value={form.worker}
              onChange={(e) => setForm({ ...form, worker: e.target.value })}
              data-testid="visit-worker"
            >
              <option value="">—</option>
              <optgroup label={t("visit.workersOfGrid")}>
                {inGrid.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name} · {t(`worker.role.${w.role}` as "worker.role.grid_worker")}
                  </option>
                ))}
              </optgroup>
              <optgroup label={t("visit.otherWorkers")}>
                {others.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name} · {t(`worker.role.${w.role}` as "worker.role.grid_worker")}
                  </option>
                ))}
              </optgroup>
            </select>
          </label>
          <label>
            {t("visit.entrance")}
            <select
              value={form.entrance}
              onChange={(e) => setForm({ ...form, entrance: e.target.value })}
              data-testid="visit-entrance"
            >
              <option value="">—</option>
              {entrances.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.stale ? "● " : ""}
                  {e.building_name} {t("workspace.card.entrance", { seq: e.seq })} ·{" "}
                  {e.last_visit_on ?? t("visit.never")}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("visit.date")}
            <input
              type="date"
              value={form.visited_on}
              max={subdistrictToday()}
              onChange={(e) => setForm({ ...form, visited_on: e.target.value })}
              data-testid="visit-date"
            />
          </label>
          <label className="visits-note">
            {t("visit.note")}
            <input
              value={form.note}
              maxLength={500}
              onChange={(e) => setForm({ ...form, note: e.target.value })}
              data-testid="visit-note"
            />
          </label>
          <button type="button" disabled={!form.worker || !form.entrance} onClick={submit} data-testid="visit-submit">
            {t("visit.save")}
          </button>
        </div>
        <p className="muted">{t("visit.staleHint")}</p>
        {message && (
          <p
            className={message.ok ? "visits-ok" : "error-text"}
            role={message.ok ? "status" : "alert"}
            data-testid="visit-message"
          >
            {message.text}
          </p>
        )}
      </section>

      <section>
        <h3>{t("visit.import")}</h3>
        <p className="muted">
          {t("visit.importHint")}{" "}
          <a href={`data:text/csv;charset=utf-8,${encodeURIComponent(TEMPLATE[lang])}`} download="visits-template.csv">
            {t("visit.template")}
          </a>
        </p>
        <input
          type="file"
          accept=".csv,text/csv"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            if (file) setCsv(await file.text());
          }}
          aria-label={t("visit.import")}
          data-testid="import-file"
        />
        <textarea
          value={csv}
          rows={5}
          onChange={(e) => setCsv(e.target.value)}
          placeholder={TEMPLATE[lang]}
          data-testid="import-text"
        />
        <FreeTextHint />
        <div className="visits-actions">
          <button type="button" disabled={!csv.trim()} onClick={() => runImport(true)} data-testid="import-check">
            {t("visit.check")}
          </button>
          <button type="button" disabled={!csv.trim()} onClick={() => runImport(false)} data-testid="import-run">
            {t("visit.importRun")}
          </button>
        </div>
        {report && (
          <div data-testid="import-report">
            <p>
              {t("visit.reportLine", { rows: report.rows, accepted: report.accepted, rejected: report.rejected })}
              {report.imported ? ` · ${t("visit.importedAll")}` : ` · ${t("visit.importedNone")}`}
            </p>
            {report.rejected > 0 && (
              <table className="ws-table">
                <TableHead columns={["visit.line", "visit.field", "visit.why"]} />
                <tbody>
                  {report.report
                    .filter((r) => !r.ok)
                    .flatMap((r) =>
                      r.errors.map((e) => (
                        <tr key={`${r.line}-${e.field}-${e.code}`} data-testid={`import-row-${r.line}`}>
                          <td>{r.line}</td>
                          <td>
                            <code>{e.field}</code>
                          </td>
                          <td>{lang === "zh" ? e.zh : e.en}</td>
                        </tr>
                      )),
                    )}
                </tbody>
              </table>
            )}
          </div>
        )}
      </section>

      <section>
        <h3>{t("visit.recent")}</h3>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls, and a keyboard scrolls only what takes focus (WCAG 2.1.1) */}
        <ul className="ws-list" tabIndex={0} aria-label={t("visit.recent")} data-testid="recent-visits">
          {recent.map((v) => (
            <li key={v.id}>
              {v.visited_on} · {v.worker_name} · {v.building_name}
              {v.seq ? ` ${t("workspace.card.entrance", { seq: v.seq })}` : ""}
              {v.note ? <span className="muted"> · {v.note}</span> : null}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
