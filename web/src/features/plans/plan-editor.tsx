import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  type ApiError,
  assignParcels,
  type Conflict,
  deleteGrid as deleteGridCall,
  type EditResult,
  fetchHistory,
  fetchPlan,
  type HistoryEntry,
  lockGrid,
  mergeGrids,
  type PlanDetail,
  redoEdit,
  splitGrid,
  toApiError,
  undoEdit,
} from "../../api.ts";
import { formatNumber, type Lang, type MessageKey, useLang } from "../../i18n.ts";
import type { AtlasMap, PickedFeature } from "../../map/atlas-map.ts";
import type { BaseMap } from "../../map/base-map.ts";
import { MapView } from "../../map/map-view.tsx";
import type { SketchMode } from "../../map/sketch.ts";
import { Banner } from "../../ui/banner.tsx";
import { Progress } from "../../ui/progress.tsx";
import { DeleteDialog, PublishDialog, RebalanceDialog, RenumberDialog } from "./editor-dialogs.tsx";
import { EditorPanel } from "./editor-panel.tsx";
import {
  labelCollection,
  loadAssignment,
  loadPlanState,
  loadTerritory,
  type PlanState,
  type Territory,
} from "./plan-data.ts";
import { PLAN_INSET } from "./plan-layers.ts";
import {
  centresBBox,
  colourGrids,
  expandToUnit,
  GRID_PALETTE,
  gridAdjacency,
  gridLabelPoints,
  nextProblem,
  type PaintUnit,
  parcelsInside,
} from "./plan-model.ts";

export type Tool = "select" | "brush" | "eraser" | "box" | "lasso" | "polygon" | "split" | "merge";

/** Tools, their keys and the pointer gesture each takes. */
const TOOLS: Array<{ tool: Tool; key: string; sketch: SketchMode; icon: string }> = [
  { tool: "select", key: "v", sketch: "none", icon: "➤" },
  { tool: "brush", key: "b", sketch: "brush", icon: "✎" },
  { tool: "eraser", key: "e", sketch: "brush", icon: "⌫" },
  { tool: "box", key: "r", sketch: "box", icon: "▭" },
  { tool: "lasso", key: "l", sketch: "lasso", icon: "◌" },
  { tool: "polygon", key: "p", sketch: "polygon", icon: "⬠" },
  { tool: "split", key: "s", sketch: "line", icon: "✂" },
  { tool: "merge", key: "m", sketch: "none", icon: "⊕" },
];

const UNITS: PaintUnit[] = ["parcel", "building", "compound"];

const TOOLTIP_KEY = "gridatlas.tooltips";

/** Waiting for the planner: a snapped shape to assign, or a merge to confirm. */
type Pending = { kind: "shape"; ids: number[] } | { kind: "merge"; other: string };

type Message = { tone: "info" | "error"; text: string; changes?: Conflict["changes"] };

/**
 * The grid editor: a draft's parcels coloured by grid on the map, tools that paint parcels into grids (brush, box,
 * lasso, polygon, whole buildings or compounds), split, merge, create, delete and lock grids, undo and redo — each an
 * edit the server applies against the version held here — and the live figures beside the map. `canEdit` false
 * (leaders, published plans) leaves only looking.
 */
export function PlanEditor(props: {
  planId: number;
  community: string;
  canEdit: boolean;
  base: BaseMap;
  bar: ReactNode;
  communityName: (code: string) => string;
  compoundName: (id: number) => string | undefined;
  onCompare: (plan: PlanDetail) => void;
  onPublished: () => void;
}) {
  const { lang, t } = useLang();
  const { planId, community } = props;
  const [plan, setPlan] = useState<PlanDetail | null>(null);
  const [territory, setTerritory] = useState<Territory | null>(null);
  const [state, setState] = useState<PlanState | null>(null);
  const [stack, setStack] = useState({ undo: false, redo: false });
  const [selected, setSelected] = useState<string | null>(null);
  const [tool, setTool] = useState<Tool>("select");
  const [unit, setUnit] = useState<PaintUnit>("parcel");
  const [preview, setPreview] = useState<number[]>([]);
  const [pending, setPending] = useState<Pending | null>(null);
  /** The next paint stroke or shape starts a new grid (the "new grid" button). */
  const [newGrid, setNewGrid] = useState(false);
  const [focus, setFocus] = useState<number[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<Message | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [dialog, setDialog] = useState<"publish" | "rebalance" | "delete" | "renumber" | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [tooltips, setTooltips] = useState(() => localStorage.getItem(TOOLTIP_KEY) !== "off");
  const [hover, setHover] = useState<{ x: number; y: number; parcel: number } | null>(null);
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);
  const [attempt, setAttempt] = useState(0);
  const colours = useRef(new Map<string, number>());
  const version = useRef(0);
  const baseAssignment = useRef<Map<number, string> | null>(null);

  const editable = props.canEdit && plan?.status === "draft";
  // Drafts, and earlier plans (archived) that may be put back in force.
  const publishable = props.canEdit && !!plan && plan.status !== "published";

  const fail = useCallback((err: unknown) => setLoadError(toApiError(err)), []);

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
    setSelected(null);
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

  // Choosing a grid ends "new grid" mode: strokes go into the chosen grid.
  useEffect(() => {
    if (selected) setNewGrid(false);
  }, [selected]);

  // The camera goes to the community once its parcels are known.
  useEffect(() => {
    if (atlas && territory) atlas.fitBounds(territory.bbox, { right: 380 });
  }, [atlas, territory]);

  const figures = state?.figures;
  const gridOf = state?.gridOf;

  /** Grid colours: neighbours differ; a grid keeps its colour across edits where it can. */
  const colourOf = useMemo(() => {
    if (!territory || !gridOf || !figures) return new Map<string, string>();
    const adj = gridAdjacency(territory.edgeList, gridOf);
    colours.current = colourGrids(figures.keys(), adj, colours.current);
    return new Map([...colours.current].map(([code, i]) => [code, GRID_PALETTE[i] as string]));
  }, [territory, gridOf, figures]);

  const labels = useMemo(
    () =>
      territory && gridOf && figures ? labelCollection(gridLabelPoints(territory.info, gridOf), figures) : undefined,
    [territory, gridOf, figures],
  );

  const data = useMemo(
    () => ({
      ...props.base.data,
      parcels: territory?.parcels,
      "parcel-edges": territory?.edges,
      "plan-labels": labels,
    }),
    [props.base.data, territory, labels],
  );

  // Parcel and edge states follow the assignment, the selection and the previews; only changes are sent.
  const sentParcels = useRef(new Map<number, string>());
  const sentEdges = useRef(new Map<number, string>());
  const sentFor = useRef<Territory | null>(null);
  const selectedFigures = selected ? figures?.get(selected) : undefined;
  useEffect(() => {
    if (!atlas || !territory || !gridOf) return;
    // Another community's parcels replaced the source: send every state again.
    if (sentFor.current !== territory) {
      sentFor.current = territory;
      sentParcels.current.clear();
      sentEdges.current.clear();
    }
    const previewSet = new Set(preview);
    const pendingSet = new Set(pending?.kind === "shape" ? pending.ids : []);
    const focusSet = new Set(focus);
    const pieces = new Set(
      selectedFigures && !selectedFigures.contiguous ? selectedFigures.pieces.slice(1).flat() : [],
    );
    const parcelStates: Array<[number, Record<string, unknown>]> = [];
    for (const id of territory.info.keys()) {
      const grid = gridOf.get(id);
      const s = {
        color: (grid && colourOf.get(grid)) ?? "#bbbbbb",
        selected: grid !== undefined && grid === selected,
        pending: previewSet.has(id) || pendingSet.has(id),
        piece: pieces.has(id),
        focus: focusSet.has(id),
      };
      const key = JSON.stringify(s);
      if (sentParcels.current.get(id) !== key) {
        sentParcels.current.set(id, key);
        parcelStates.push([id, s]);
      }
    }
    atlas.setFeatureStates("parcels", parcelStates);
    const edgeStates: Array<[number, Record<string, unknown>]> = [];
    for (const e of territory.edgeList) {
      const ga = gridOf.get(e.a);
      const gb = gridOf.get(e.b);
      const boundary = ga !== gb;
      const s = { boundary, selected: boundary && selected !== null && (ga === selected || gb === selected) };
      const key = JSON.stringify(s);
      if (sentEdges.current.get(e.id) !== key) {
        sentEdges.current.set(e.id, key);
        edgeStates.push([e.id, s]);
      }
    }
    atlas.setFeatureStates("parcel-edges", edgeStates);
  }, [atlas, territory, gridOf, colourOf, selected, selectedFigures, preview, pending, focus]);

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
   * Runs one edit against the version held. On 409 the planner is told who changed what and the plan is reloaded;
   * other refusals (locked grid, other community …) are shown as the server words them.
   */
  const edit = useCallback(
    async (
      label: string,
      run: (v: number) => Promise<EditResult>,
      after?: (r: EditResult) => Map<number, string> | "reload",
    ) => {
      setBusy(label);
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
        setPreview([]);
      }
    },
    [applyResult, reloadState, lang, fail, planId],
  );

  /** Paints parcels into a grid (or a new one); the new grid becomes the selected one. */
  const paint = useCallback(
    async (ids: number[], target: string) => {
      if (!gridOf) return;
      const moving = ids.filter((id) => gridOf.get(id) !== target);
      if (!moving.length) return;
      const known = new Set(figures?.keys());
      const r = await edit(
        t("editor.busy.assign"),
        (v) => assignParcels(planId, v, moving, target),
        (res) => {
          const code = target === "new" ? res.grids.find((g) => !known.has(g.code))?.code : target;
          return code ? new Map(moving.map((id) => [id, code])) : "reload";
        },
      );
      if (r && target === "new") {
        const created = r.grids.find((g) => !known.has(g.code));
        if (created) setSelected(created.code);
      }
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

  const stroke = useCallback(
    (ids: Array<string | number>, done: boolean) => {
      const expanded = territory ? expandToUnit(ids.map(Number), unit, territory.info) : [];
      if (!done) {
        setPreview(expanded);
        return;
      }
      const target = selected ?? (newGrid ? "new" : null);
      if (tool === "eraser") void erase(expanded);
      else if (target) {
        setNewGrid(false);
        void paint(expanded, target);
      } else {
        setPreview([]);
        setMessage({ tone: "info", text: t("editor.chooseGridFirst") });
      }
    },
    [territory, unit, tool, selected, newGrid, erase, paint, t],
  );

  const area = useCallback(
    (ring: [number, number][]) => {
      if (!territory) return;
      const ids = expandToUnit(parcelsInside(ring, territory.info.values()), unit, territory.info);
      if (!ids.length) {
        setMessage({ tone: "info", text: t("editor.nothingInside") });
        return;
      }
      // A drawn polygon is shown snapped to the parcels first; box and lasso paint at once like the brush.
      const target = selected ?? (newGrid ? "new" : null);
      if (tool === "polygon") setPending({ kind: "shape", ids });
      else if (target) {
        setNewGrid(false);
        void paint(ids, target);
      } else setMessage({ tone: "info", text: t("editor.chooseGridFirst") });
    },
    [territory, unit, tool, selected, newGrid, paint, t],
  );

  const split = useCallback(
    (line: [number, number][]) => {
      if (!selected) {
        setMessage({ tone: "info", text: t("editor.chooseGridFirst") });
        return;
      }
      void edit(
        t("editor.busy.split"),
        (v) => splitGrid(planId, selected, v, line),
        () => "reload",
      ).then((r) => {
        if (r) setMessage({ tone: "info", text: t("editor.splitDone", { seq: selected.slice(-3) }) });
      });
    },
    [selected, edit, planId, t],
  );

  const undo = useCallback(() => {
    if (stack.undo && editable)
      void edit(
        t("editor.busy.undo"),
        (v) => undoEdit(planId, v),
        () => "reload",
      );
  }, [stack.undo, editable, edit, planId, t]);
  const redo = useCallback(() => {
    if (stack.redo && editable)
      void edit(
        t("editor.busy.redo"),
        (v) => redoEdit(planId, v),
        () => "reload",
      );
  }, [stack.redo, editable, edit, planId, t]);

  // The map's handlers are bound once; they read the latest state through this ref.
  const live = useRef({ tool, stroke, area, split, setSelected, gridOf, selected, editable });
  live.current = { tool, stroke, area, split, setSelected, gridOf, selected, editable };

  const onReady = useCallback((map: AtlasMap) => {
    setAtlas(map);
    map.onError((err) => console.error("map:", err));
    map.onClick(["parcels-fill"], (picked: PickedFeature | null) => {
      const l = live.current;
      const grid = picked ? l.gridOf?.get(Number(picked.id)) : undefined;
      if (l.tool === "select") l.setSelected(grid ?? null);
      else if (l.tool === "merge" && grid && l.selected && grid !== l.selected && l.editable) {
        setPending({ kind: "merge", other: grid });
      } else if (l.tool === "merge" && grid && !l.selected) l.setSelected(grid);
    });
    map.onHover(["parcels-fill"], (picked, point) =>
      setHover(picked ? { x: point.x, y: point.y, parcel: Number(picked.id) } : null),
    );
  }, []);

  // The pointer gesture of the chosen tool.
  useEffect(() => {
    if (!atlas) return;
    const mode = editable ? (TOOLS.find((x) => x.tool === tool)?.sketch ?? "none") : "none";
    atlas.setSketch(
      mode,
      {
        onStroke: (ids, done) => live.current.stroke(ids, done),
        onArea: (ring) => live.current.area(ring),
        onLine: (line) => live.current.split(line),
      },
      ["parcels-fill"],
    );
  }, [atlas, tool, editable]);

  /** Moves the camera to some parcels; `highlight` outlines them too (a split building, a loose piece). */
  const zoomTo = useCallback(
    (ids: number[], highlight = true) => {
      if (!territory) return;
      const box = centresBBox(ids, territory.info);
      if (box) atlas?.fitBounds(box, { right: 380 });
      setFocus(highlight ? ids : []);
    },
    [atlas, territory],
  );

  const select = useCallback(
    (code: string | null, zoom = false) => {
      setSelected(code);
      setFocus([]);
      if (code && zoom && gridOf) {
        zoomTo(
          [...gridOf].filter(([, g]) => g === code).map(([id]) => id),
          false,
        );
      }
    },
    [gridOf, zoomTo],
  );

  const goNextProblem = useCallback(() => {
    if (!figures) return;
    const next = nextProblem(figures.values(), selected);
    if (next) select(next, true);
    else setMessage({ tone: "info", text: t("editor.noProblems") });
  }, [figures, selected, select, t]);

  // Keyboard: tools, paint units, undo and redo, the next problem, tooltips, Escape.
  useEffect(() => {
    const keys = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      if (dialog) return;
      const k = e.key.toLowerCase();
      if ((e.ctrlKey || e.metaKey) && k === "z") {
        e.preventDefault();
        if (e.shiftKey) redo();
        else undo();
        return;
      }
      if ((e.ctrlKey || e.metaKey) && k === "y") {
        e.preventDefault();
        redo();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const chosen = TOOLS.find((x) => x.key === k);
      if (chosen && (editable || chosen.tool === "select")) setTool(chosen.tool);
      else if (k === "g" && editable) {
        setSelected(null);
        setNewGrid(true);
      } else if (k === "1" || k === "2" || k === "3") setUnit(UNITS[Number(k) - 1] as PaintUnit);
      else if (k === "n") goNextProblem();
      else if (k === "t") toggleTooltips();
      else if (e.key === "Escape") {
        if (pending) setPending(null);
        else if (newGrid) setNewGrid(false);
        else if (tool !== "select") setTool("select");
        else setSelected(null);
      }
    };
    window.addEventListener("keydown", keys);
    return () => window.removeEventListener("keydown", keys);
  });

  const toggleTooltips = () =>
    setTooltips((on) => {
      localStorage.setItem(TOOLTIP_KEY, on ? "off" : "on");
      return !on;
    });

  const confirmShape = (target: string) => {
    if (pending?.kind !== "shape") return;
    const ids = pending.ids;
    setPending(null);
    void paint(ids, target);
  };

  const confirmMerge = () => {
    if (pending?.kind !== "merge" || !selected) return;
    const other = pending.other;
    setPending(null);
    void edit(
      t("editor.busy.merge"),
      (v) => mergeGrids(planId, v, selected, other),
      () => "reload",
    );
  };

  const toggleLock = () => {
    if (!selectedFigures) return;
    const locked = !selectedFigures.locked;
    void edit(t("editor.busy.lock"), (v) => lockGrid(planId, selectedFigures.code, v, locked));
  };

  const hovered = hover && tooltips && territory ? territory.info.get(hover.parcel) : undefined;
  const hoveredGrid = hovered ? gridOf?.get(hovered.id) : undefined;
  const hoveredFigures = hoveredGrid ? figures?.get(hoveredGrid) : undefined;
  const loading = !state || !territory || !plan;

  return (
    <div className="app editor">
      <MapView
        bbox={props.base.bbox}
        sources={props.base.sources}
        layers={props.base.layers}
        data={data}
        selection={null}
        locale={props.base.locale}
        inset={PLAN_INSET}
        attribution={props.base.attribution}
        onReady={onReady}
        className="map"
      />
      {props.bar}

      {plan && (
        <div className="tools" data-testid="editor-tools" role="toolbar" aria-label={t("editor.tools")}>
          <div className="tools-plan">
            <strong>{plan.name}</strong>
            <span className="muted">
              {t(`plan.status.${plan.status}` as MessageKey)} · v{state?.version ?? plan.version}
            </span>
          </div>
          {editable && (
            <>
              <div className="tools-group">
                {TOOLS.map((x) => (
                  <button
                    key={x.tool}
                    type="button"
                    className={tool === x.tool ? "tool tool-active" : "tool"}
                    aria-pressed={tool === x.tool}
                    title={`${t(`editor.tool.${x.tool}` as MessageKey)} (${x.key.toUpperCase()})`}
                    onClick={() => setTool(x.tool)}
                    data-testid={`tool-${x.tool}`}
                  >
                    <span aria-hidden="true">{x.icon}</span> {t(`editor.tool.${x.tool}` as MessageKey)}
                  </button>
                ))}
              </div>
              <fieldset className="tools-group tools-fieldset" aria-label={t("editor.unit")}>
                {UNITS.map((u, i) => (
                  <button
                    key={u}
                    type="button"
                    aria-pressed={unit === u}
                    className={unit === u ? "tool tool-active" : "tool"}
                    title={`${t(`editor.unit.${u}` as MessageKey)} (${i + 1})`}
                    onClick={() => setUnit(u)}
                    data-testid={`unit-${u}`}
                  >
                    {t(`editor.unit.${u}` as MessageKey)}
                  </button>
                ))}
              </fieldset>
              <div className="tools-group tools-row">
                <button type="button" onClick={undo} disabled={!stack.undo || !!busy} title="Ctrl+Z" data-testid="undo">
                  ↶ {t("editor.undo")}
                </button>
                <button
                  type="button"
                  onClick={redo}
                  disabled={!stack.redo || !!busy}
                  title="Ctrl+Shift+Z"
                  data-testid="redo"
                >
                  ↷ {t("editor.redo")}
                </button>
              </div>
              <div className="tools-group">
                <button
                  type="button"
                  onClick={() => {
                    if (tool === "select" || tool === "eraser" || tool === "split" || tool === "merge")
                      setTool("brush");
                    setSelected(null);
                    setNewGrid(true);
                  }}
                  className={newGrid ? "tool-active" : undefined}
                  aria-pressed={newGrid}
                  data-testid="new-grid"
                  title={t("editor.newGridHint")}
                >
                  ＋ {t("editor.newGrid")}
                </button>
                <button type="button" onClick={() => setDialog("rebalance")} data-testid="rebalance">
                  ⚖ {t("editor.rebalance")}
                </button>
              </div>
            </>
          )}
          <div className="tools-group">
            {plan.based_on !== null && (
              <button type="button" onClick={() => props.onCompare(plan)} data-testid="compare">
                ⇄ {t("editor.compare")}
              </button>
            )}
            {editable && (
              <button type="button" onClick={() => setDialog("renumber")} data-testid="renumber">
                {t("editor.renumber")}
              </button>
            )}
            {publishable && (
              <button type="button" className="primary" onClick={() => setDialog("publish")} data-testid="publish">
                {plan.status === "draft" ? t("editor.publish") : t("editor.republish")}
              </button>
            )}
          </div>
          <label className="check tools-check">
            <input type="checkbox" checked={tooltips} onChange={toggleTooltips} data-testid="tooltips" />
            {t("editor.tooltips")} (T)
          </label>
        </div>
      )}

      {editable && tool !== "select" && (
        <div className="tool-hint" role="status">
          {t(`editor.hint.${tool}` as MessageKey, {
            grid: selected
              ? t("grid.title", { seq: selected.slice(-3) })
              : newGrid
                ? t("editor.newGridShort")
                : t("editor.noGridYet"),
          })}
        </div>
      )}

      {pending?.kind === "shape" && (
        <div className="confirm-bar" data-testid="confirm-shape">
          <span>
            {t("editor.shapeSnapped", { n: pending.ids.length, households: sumHouseholds(pending.ids, territory) })}
          </span>
          {selected && (
            <button type="button" className="primary" onClick={() => confirmShape(selected)} data-testid="confirm-into">
              {t("editor.assignInto", { seq: selected.slice(-3) })}
            </button>
          )}
          <button type="button" onClick={() => confirmShape("new")} data-testid="confirm-new">
            {t("editor.assignNew")}
          </button>
          <button type="button" onClick={() => setPending(null)}>
            {t("account.cancel")}
          </button>
        </div>
      )}
      {pending?.kind === "merge" && selected && (
        <div className="confirm-bar" data-testid="confirm-merge">
          <span>{t("editor.mergeAsk", { other: pending.other.slice(-3), into: selected.slice(-3) })}</span>
          <button type="button" className="primary" onClick={confirmMerge} data-testid="confirm-merge-ok">
            {t("editor.merge")}
          </button>
          <button type="button" onClick={() => setPending(null)}>
            {t("account.cancel")}
          </button>
        </div>
      )}

      {state && territory && (
        <EditorPanel
          figures={state.figures}
          gridOf={state.gridOf}
          territory={territory}
          selected={selected}
          editable={!!editable}
          communityName={props.communityName(community)}
          compoundName={props.compoundName}
          onSelect={select}
          onZoom={zoomTo}
          onNextProblem={goNextProblem}
          onLock={toggleLock}
          onDelete={() => setDialog("delete")}
          history={history}
          onSplit={() => setTool("split")}
          onMerge={() => setTool("merge")}
        />
      )}

      {hovered && hover && (
        <div className="tooltip" style={{ left: hover.x + 14, top: hover.y + 14 }} data-testid="tooltip">
          <div>
            <strong>{hoveredGrid ? t("grid.title", { seq: hoveredGrid.slice(-3) }) : "—"}</strong>
            {hoveredFigures && (
              <span> · {t("editor.householdsN", { n: formatNumber(lang, hoveredFigures.households) })}</span>
            )}
          </div>
          <div className="muted">
            {t("editor.parcelN", { id: hovered.id })} · {t("editor.householdsN", { n: hovered.households })}
            {hovered.building_id !== null && ` · ${t("editor.buildingN", { id: hovered.building_id })}`}
          </div>
        </div>
      )}

      {busy && (
        <div className="busy" role="status" data-testid="busy">
          {busy}
        </div>
      )}
      {message && (
        <MessageBar message={message} lang={lang} onClose={() => setMessage(null)} closeLabel={t("app.dismiss")} />
      )}

      {loading && !loadError && <Progress label={t("editor.loading")} detail="" done={0} total={1} />}
      {loadError && (
        <Banner
          title={t("app.errorTitle")}
          actions={
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              {t("app.retry")}
            </button>
          }
        >
          {loadError.text(lang)}
        </Banner>
      )}

      {dialog === "publish" && plan && (
        <PublishDialog
          planId={planId}
          version={version.current}
          onClose={() => setDialog(null)}
          onPublished={props.onPublished}
          onConflict={() => void reloadState()}
        />
      )}
      {dialog === "rebalance" && plan && (
        <RebalanceDialog
          planId={planId}
          community={community}
          communityName={props.communityName(community)}
          version={version.current}
          selected={selected}
          onClose={() => setDialog(null)}
          onConflict={() => void reloadState()}
          onApplied={(r) => {
            applyResult(r);
            void reloadState();
          }}
          onCompare={() => props.onCompare(plan)}
        />
      )}
      {dialog === "renumber" && plan && (
        <RenumberDialog
          planId={planId}
          community={community}
          communityName={props.communityName(community)}
          version={version.current}
          onClose={() => setDialog(null)}
          onApplied={(r) => {
            applyResult(r);
            setSelected(null);
            void reloadState();
          }}
          onConflict={() => void reloadState()}
        />
      )}
      {dialog === "delete" && selectedFigures && territory && state && (
        <DeleteDialog
          code={selectedFigures.code}
          neighbours={[...(gridAdjacency(territory.edgeList, state.gridOf).get(selectedFigures.code) ?? [])].sort()}
          onClose={() => setDialog(null)}
          onDelete={(into) => {
            setDialog(null);
            const code = selectedFigures.code;
            void edit(
              t("editor.busy.delete"),
              (v) => deleteGridCall(planId, code, v, into),
              () => "reload",
            ).then((r) => r && setSelected(null));
          }}
        />
      )}
    </div>
  );
}

function sumHouseholds(ids: number[], territory: Territory | null): number {
  return ids.reduce((n, id) => n + (territory?.info.get(id)?.households ?? 0), 0);
}

function MessageBar(props: { message: Message; lang: Lang; onClose: () => void; closeLabel: string }) {
  const { message, lang } = props;
  return (
    <div className={`message message-${message.tone}`} role="alert" data-testid="editor-message">
      <div className="message-text">
        {message.text}
        {message.changes && message.changes.length > 0 && (
          <ul className="plain-list message-changes" data-testid="conflict-changes">
            {message.changes.map((c) => (
              <li key={`${c.at}-${c.zh}`}>
                <code>{c.actor}</code> {lang === "zh" ? c.zh : c.en}
                <span className="muted"> · {new Date(c.at).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB")}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" className="panel-close" onClick={props.onClose} aria-label={props.closeLabel}>
        ×
      </button>
    </div>
  );
}
