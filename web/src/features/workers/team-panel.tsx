import { type DragEvent, useCallback, useEffect, useState } from "react";
import {
  type ApiError,
  assignWorker,
  changeWorker,
  createWorker,
  fetchWorkers,
  toApiError,
  unassignWorker,
  type Worker,
  type WorkerList,
} from "../../api.ts";
import { formatNumber, type MessageKey, useLang } from "../../i18n/lang.ts";
import { today as subdistrictToday } from "../../i18n/time.ts";
import { ValueOptions } from "../../ui/filter-fields.tsx";
import { ErrorText } from "../../ui/form.tsx";
import "./workers.css";

const ROLES = ["grid_leader", "grid_worker", "info_worker", "secretary"] as const;
const ROLE_KEYS: Record<string, MessageKey> = {
  secretary: "worker.role.secretary",
  grid_leader: "worker.role.grid_leader",
  grid_worker: "worker.role.grid_worker",
  info_worker: "worker.role.info_worker",
};
const DRAG_TYPE = "application/x-gridatlas-worker";

type TeamGrid = {
  code: string;
  name: string;
  households: number;
  workers: { grid_leader: number; grid_worker: number; info_worker: number };
};
type Draft = { role: string; name: string; phone: string; started_on: string };

/**
 * The team of a community: add, edit and retire workers; assign them to grids by dragging a worker onto a grid or
 * with the picker; each worker's load (households, entrances, grids) against the average of their role.
 */
export function TeamPanel(props: {
  community: string;
  grids: TeamGrid[];
  today: string | null;
  onChanged: () => void;
  onShowGrid: (code: string) => void;
}) {
  const { lang, t } = useLang();
  const [list, setList] = useState<WorkerList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [draft, setDraft] = useState<Draft>({
    role: "info_worker",
    name: "",
    phone: "",
    started_on: props.today ?? "",
  });
  const [role, setRole] = useState<string>("all");
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const { community, onChanged } = props;

  const load = useCallback(() => {
    fetchWorkers(community).then(setList, (e: unknown) => setError(toApiError(e)));
  }, [community]);
  useEffect(load, [load]);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      load();
      onChanged();
      return true;
    } catch (e) {
      const err = toApiError(e);
      setError(err);
      // Someone else changed the worker since the list was read: show their version, with the message.
      if (err.status === 409) load();
      return false;
    }
  };

  const averages = list?.averages[community] ?? {};
  const workers = (list?.workers ?? []).filter((w) => role === "all" || w.role === role);
  const n = (v: number) => formatNumber(lang, v);

  const save = async () => {
    const ok =
      editing === "new"
        ? await act(() => createWorker(community, draft))
        : editing !== null &&
          (await act(() =>
            changeWorker(editing, { ...draft, version: list?.workers.find((w) => w.id === editing)?.version }),
          ));
    if (ok) setEditing(null);
  };
  const startEdit = (w: Worker | null) => {
    setEditing(w ? w.id : "new");
    setDraft(
      w
        ? { role: w.role, name: w.name, phone: w.phone ?? "", started_on: w.started_on ?? "" }
        : {
            role: "info_worker",
            name: "",
            phone: "",
            started_on: props.today ?? subdistrictToday(),
          },
    );
  };
  const retire = (w: Worker) => {
    const day = window.prompt(t("worker.retirePrompt", { name: w.name }), subdistrictToday());
    if (day) void act(() => changeWorker(w.id, { retired_on: day, version: w.version }));
  };
  const drop = (e: DragEvent, code: string) => {
    e.preventDefault();
    setDropTarget(null);
    const id = Number(e.dataTransfer.getData(DRAG_TYPE));
    if (id) void act(() => assignWorker(id, code));
  };

  const form = (
    <div className="team-form" data-testid="worker-form">
      <label>
        {t("worker.role")}
        <select
          value={draft.role}
          onChange={(e) => setDraft({ ...draft, role: e.target.value })}
          data-testid="worker-role"
        >
          <ValueOptions values={ROLES} label={(r) => t(ROLE_KEYS[r]!)} />
        </select>
      </label>
      <label>
        {t("worker.name")}
        <input
          value={draft.name}
          maxLength={40}
          onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          data-testid="worker-name"
        />
      </label>
      <label>
        {t("worker.phone")}
        <input
          value={draft.phone}
          onChange={(e) => setDraft({ ...draft, phone: e.target.value })}
          data-testid="worker-phone"
        />
      </label>
      <label>
        {t("worker.startedOn")}
        <input
          type="date"
          value={draft.started_on}
          onChange={(e) => setDraft({ ...draft, started_on: e.target.value })}
        />
      </label>
      <button type="button" onClick={save} data-testid="worker-save">
        {t("worker.save")}
      </button>
      <button type="button" onClick={() => setEditing(null)}>
        {t("worker.cancel")}
      </button>
    </div>
  );

  return (
    <div className="team" data-testid="team-panel">
      <div className="team-tools">
        <button type="button" onClick={() => startEdit(null)} data-testid="worker-add">
          + {t("worker.add")}
        </button>
        <label>
          {t("worker.role")}{" "}
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="all">{t("workspace.filter.all")}</option>
            <ValueOptions values={ROLES} label={(r) => t(ROLE_KEYS[r]!)} />
          </select>
        </label>
        <span className="muted">{t("worker.dragHint")}</span>
      </div>
      <ErrorText error={error} testId="team-error" />
      {editing === "new" && form}
      <div className="team-columns">
        <ul className="team-workers" data-testid="team-workers">
          {workers.map((w) => {
            const avg = averages[w.role];
            const ratio = avg && avg.households > 0 ? w.load.households / avg.households : null;
            return (
              <li
                key={w.id}
                draggable
                onDragStart={(e) => e.dataTransfer.setData(DRAG_TYPE, String(w.id))}
                data-testid={`worker-${w.id}`}
                data-name={w.name}
              >
                {editing === w.id ? (
                  form
                ) : (
                  <>
                    <div className="team-line">
                      <span className="team-role">{t(ROLE_KEYS[w.role] ?? "worker.role.info_worker")}</span>
                      <strong>{w.name}</strong>
                      {w.phone && <span className="muted">{w.phone}</span>}
                      <span className="team-actions">
                        <button type="button" className="ws-link" onClick={() => startEdit(w)}>
                          {t("worker.edit")}
                        </button>
                        <button
                          type="button"
                          className="ws-link"
                          onClick={() => retire(w)}
                          data-testid={`retire-${w.id}`}
                        >
                          {t("worker.retire")}
                        </button>
                      </span>
                    </div>
                    <div className="team-line">
                      {/* The secretary stands on every grid of the community: one line says so. */}
                      {w.role === "secretary" && (
                        <span className="muted">{t("worker.allGrids", { n: w.grids.length })}</span>
                      )}
                      {(w.role === "secretary" ? [] : w.grids).map((code) => (
                        <span key={code} className="team-chip">
                          <button type="button" className="ws-link" onClick={() => props.onShowGrid(code)}>
                            {code.slice(-3)}
                          </button>
                          {w.role !== "secretary" && (
                            <button
                              type="button"
                              className="team-chip-x"
                              aria-label={t("worker.unassign", { grid: code.slice(-3) })}
                              title={t("worker.unassign", { grid: code.slice(-3) })}
                              onClick={() => void act(() => unassignWorker(w.id, code))}
                              data-testid={`unassign-${w.id}-${code}`}
                            >
                              ×
                            </button>
                          )}
                        </span>
                      ))}
                      <select
                        value=""
                        onChange={(e) => e.target.value && void act(() => assignWorker(w.id, e.target.value))}
                        aria-label={t("worker.assignTo")}
                        data-testid={`assign-${w.id}`}
                      >
                        <option value="">+ {t("worker.assignTo")}</option>
                        {props.grids
                          .filter((g) => !w.grids.includes(g.code))
                          .map((g) => (
                            <option key={g.code} value={g.code}>
                              {g.code.slice(-3)} · {n(g.households)}
                            </option>
                          ))}
                      </select>
                    </div>
                    <div className="team-load" title={t("worker.loadTitle")}>
                      <span>
                        {t("worker.load", {
                          households: n(w.load.households),
                          entrances: w.load.entrances,
                          grids: w.load.grids,
                        })}
                      </span>
                      {ratio !== null && (
                        <span className="team-bar" title={t("worker.vsAverage", { pct: Math.round(ratio * 100) })}>
                          <span
                            className={ratio > 1.25 ? "team-bar-fill team-bar-high" : "team-bar-fill"}
                            style={{ width: `${Math.min(ratio, 2) * 50}%` }}
                          />
                          <span className="team-bar-avg" />
                        </span>
                      )}
                      {ratio !== null && (
                        <span className="muted">{t("worker.vsAverage", { pct: Math.round(ratio * 100) })}</span>
                      )}
                    </div>
                  </>
                )}
              </li>
            );
          })}
        </ul>
        <ul className="team-grids" data-testid="team-grids">
          {props.grids.map((g) => {
            const gap = g.workers.grid_leader === 0 || g.workers.grid_worker === 0;
            return (
              <li
                key={g.code}
                className={`${gap ? "team-gap" : ""} ${dropTarget === g.code ? "team-drop" : ""}`}
                onDragOver={(e) => {
                  e.preventDefault();
                  setDropTarget(g.code);
                }}
                onDragLeave={() => setDropTarget(null)}
                onDrop={(e) => drop(e, g.code)}
                data-testid={`team-grid-${g.code}`}
              >
                <button type="button" className="ws-link" onClick={() => props.onShowGrid(g.code)}>
                  {g.code.slice(-3)}
                </button>
                <span>
                  {g.workers.grid_leader}/{g.workers.grid_worker}/{g.workers.info_worker}
                </span>
                {gap && (
                  <span className="team-gap-note">
                    {g.workers.grid_worker === 0 ? t("workspace.team.noWorker") : t("worker.noLeader")}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}
