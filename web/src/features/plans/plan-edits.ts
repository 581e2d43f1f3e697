import { useCallback, useEffect, useRef, useState } from "react";
import {
  type ApiError,
  assignParcels,
  type Conflict,
  type EditResult,
  fetchHistory,
  fetchPlan,
  type HistoryEntry,
  type PlanDetail,
  toApiError,
} from "../../api.ts";
import { useLang } from "../../i18n/lang.ts";
import { loadAssignment, loadPlanState, loadTerritory, type PlanState, type Territory } from "./plan-data.ts";

/** What the editor tells the planner: a hint, or a refusal (a 409 lists who changed what). */
export type EditorMessage = { tone: "info" | "error"; text: string; changes?: Conflict["changes"] };

/** How long a hint stays on screen; a refusal stays until closed or replaced. */
const HINT_MS = 8000;

/** After an edit: the parcels it moved and where (taken in as they are), or "reload" the state. */
type Moved = Map<number, string> | "reload";

/**
 * A plan over one community and the edits made on it: loads the plan, the community's parcels and the plan's state
 * (assignment, figures, version, history), and runs each edit against the version held, taking its result in. On
 * 409 the planner is told who changed what and the state is reloaded; other refusals (locked grid, other community
 * …) are shown as the server words them.
 */
export function usePlanEdits(planId: number, community: string) {
  const { lang, t } = useLang();
  const [plan, setPlan] = useState<PlanDetail | null>(null);
  const [territory, setTerritory] = useState<Territory | null>(null);
  const [state, setState] = useState<PlanState | null>(null);
  const [stack, setStack] = useState({ undo: false, redo: false });
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<EditorMessage | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  /** The version edits are made against: a ref, so an edit right after another uses the newest. */
  const version = useRef(0);
  /** The assignment of the plan this draft was copied from, loaded on the eraser's first use. */
  const baseAssignment = useRef<Map<number, string> | null>(null);

  const fail = useCallback((err: unknown) => setLoadError(toApiError(err)), []);

  // A hint ("已拆分网格 010") is about the last step only: it goes by itself rather than sit through later edits.
  useEffect(() => {
    if (message?.tone !== "info") return;
    const timer = setTimeout(() => setMessage(null), HINT_MS);
    return () => clearTimeout(timer);
  }, [message]);

  const reloadState = useCallback(async () => {
    const next = await loadPlanState(planId, community);
    version.current = next.version;
    setState(next);
    const history = await fetchHistory(planId);
    setHistory(history);
    setStack({ undo: history.some((h) => h.state === "done"), redo: history.some((h) => h.state === "undone") });
  }, [planId, community]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry button's way to load again.
  useEffect(() => {
    let current = true;
    setLoadError(null);
    setState(null);
    baseAssignment.current = null;
    Promise.all([fetchPlan(planId), loadTerritory(community)]).then(([p, terr]) => {
      if (!current) return;
      setPlan(p);
      setTerritory(terr);
    }, fail);
    reloadState().catch((err: unknown) => current && fail(err));
    return () => {
      current = false;
    };
  }, [planId, community, reloadState, fail, attempt]);

  /** Takes in an edit's result: new figures for the grids it touched, the version, what undo and redo can do. */
  const applyResult = useCallback((r: EditResult, moved?: Map<number, string>) => {
    version.current = r.version;
    setStack({ undo: r.undo_available, redo: r.redo_available });
    setState((prev) => {
      if (!prev) return prev;
      const figures = new Map(prev.figures);
      for (const g of r.grids) figures.set(g.code, g);
      for (const code of r.removed) figures.delete(code);
      const gridOf = moved ? new Map([...prev.gridOf, ...moved]) : prev.gridOf;
      return { version: r.version, figures, gridOf };
    });
  }, []);

  /**
   * Runs one edit against the version held, `label` showing while it runs. `after` names the parcels it moved so
   * that only the history is asked again, or "reload"; without it the state is reloaded. Null when refused.
   */
  const edit = useCallback(
    async (label: string, run: (v: number) => Promise<EditResult>, after?: (r: EditResult) => Moved) => {
      setBusy(label);
      // A new edit replaces whatever the last one said.
      setMessage(null);
      try {
        const r = await run(version.current);
        const moved = after?.(r);
        applyResult(r, moved instanceof Map ? moved : undefined);
        if (!after || moved === "reload") await reloadState();
        else fetchHistory(planId).then(setHistory, () => {});
        return r;
      } catch (err) {
        const e = toApiError(err);
        if (e.status === 409) {
          const details = e.details as Conflict | undefined;
          setMessage({ tone: "error", text: e.text(lang), changes: details?.changes ?? [] });
          await reloadState().catch(fail);
        } else setMessage({ tone: "error", text: e.text(lang) });
        return null;
      } finally {
        setBusy(null);
      }
    },
    [applyResult, reloadState, lang, fail, planId],
  );

  const figures = state?.figures;
  const gridOf = state?.gridOf;

  /** Paints parcels into a grid, or into a new one ("new"): resolves to the new grid's code, else null. */
  const paint = useCallback(
    async (ids: number[], target: string): Promise<string | null> => {
      if (!gridOf) return null;
      const moving = ids.filter((id) => gridOf.get(id) !== target);
      if (!moving.length) return null;
      const known = new Set(figures?.keys());
      const created = (r: EditResult) => r.grids.find((g) => !known.has(g.code))?.code;
      const r = await edit(
        t("editor.busy.assign"),
        (v) => assignParcels(planId, v, moving, target),
        (res) => {
          const code = target === "new" ? created(res) : target;
          return code ? new Map(moving.map((id) => [id, code])) : "reload";
        },
      );
      return r && target === "new" ? (created(r) ?? null) : null;
    },
    [gridOf, figures, edit, planId, t],
  );

  /** Returns parcels to the grid they had in the plan this draft was copied from, one edit per receiving grid. */
  const erase = useCallback(
    async (ids: number[]) => {
      if (!plan?.based_on || !gridOf || !figures) {
        setMessage({ tone: "error", text: t("editor.noBase") });
        return;
      }
      baseAssignment.current ??= await loadAssignment(plan.based_on, community);
      const byGrid = new Map<string, number[]>();
      let lost = 0;
      for (const id of ids) {
        const before = baseAssignment.current.get(id);
        if (!before || before === gridOf.get(id)) continue;
        if (!figures.has(before)) {
          lost++;
          continue;
        }
        byGrid.set(before, [...(byGrid.get(before) ?? []), id]);
      }
      for (const [grid, parcels] of byGrid) await paint(parcels, grid);
      if (lost) setMessage({ tone: "info", text: t("editor.eraserLost", { n: lost }) });
    },
    [plan, gridOf, figures, community, paint, t],
  );

  return {
    plan,
    territory,
    state,
    stack,
    history,
    busy,
    message,
    setMessage,
    loadError,
    retry: () => setAttempt((n) => n + 1),
    /** The version held, for the dialogs that send their own edit (publish, rebalance, renumber). */
    version: () => version.current,
    reloadState,
    applyResult,
    edit,
    paint,
    erase,
  };
}
