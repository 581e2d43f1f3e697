import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  type ApiError,
  deleteGrid as deleteGridCall,
  lockGrid,
  mergeGrids,
  type PlanDetail,
  redoEdit,
  splitGrid,
  undoEdit,
} from "../../api.ts";
import { type MessageKey, useLang } from "../../i18n/lang.ts";
import type { AtlasMap, PickedFeature } from "../../map/atlas-map.ts";
import type { BaseMap } from "../../map/base-map.ts";
import type { LngLat } from "../../map/geo.ts";
import { BaseMapView } from "../../map/map-view.tsx";
import { Banner } from "../../ui/banner.tsx";
import { Progress } from "../../ui/progress.tsx";
import { DeleteDialog, PublishDialog, RebalanceDialog, RenumberDialog } from "./editor-dialogs.tsx";
import { useEditorKeys } from "./editor-keys.ts";
import { EditorPanel } from "./editor-panel.tsx";
import { EditorTools, MessageBar, ParcelTooltip, TOOLS, type Tool } from "./editor-tools.tsx";
import type { Territory } from "./plan-data.ts";
import { usePlanEdits } from "./plan-edits.ts";
import { PLAN_INSET } from "./plan-layers.ts";
import { useGridColours, useParcelStates, usePlanOverlay } from "./plan-map.ts";
import { centresBBox, expandToUnit, gridAdjacency, nextProblem, type PaintUnit, parcelsInside } from "./plan-model.ts";

const TOOLTIP_KEY = "gridatlas.tooltips";

/** Waiting for the planner: a snapped shape to assign, or a merge to confirm. */
type Pending = { kind: "shape"; ids: number[] } | { kind: "merge"; other: string };

/**
 * The grid editor: a draft's parcels coloured by grid on the map, tools that paint parcels into grids (brush, box,
 * lasso, polygon, whole buildings or compounds), split, merge, create, delete and lock grids, undo and redo — each an
 * edit the server applies against the version held (`usePlanEdits`) — and the live figures beside the map.
 * `canEdit` false (leaders, published plans) leaves only looking.
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
  const { t } = useLang();
  const { planId, community } = props;
  const edits = usePlanEdits(planId, community);
  const { plan, territory, state, edit, paint, setMessage, reloadState, applyResult } = edits;
  const [selected, setSelected] = useState<string | null>(null);
  const [tool, setTool] = useState<Tool>("select");
  const [unit, setUnit] = useState<PaintUnit>("parcel");
  const [preview, setPreview] = useState<number[]>([]);
  const [pending, setPending] = useState<Pending | null>(null);
  /** The next paint stroke or shape starts a new grid (the "new grid" button). */
  const [newGrid, setNewGrid] = useState(false);
  const [focus, setFocus] = useState<number[]>([]);
  const [dialog, setDialog] = useState<"publish" | "rebalance" | "delete" | "renumber" | null>(null);
  const [tooltips, setTooltips] = useState(() => localStorage.getItem(TOOLTIP_KEY) !== "off");
  const [hover, setHover] = useState<{ x: number; y: number; parcel: number } | null>(null);
  const [atlas, setAtlas] = useState<AtlasMap | null>(null);

  const editable = props.canEdit && plan?.status === "draft";
  // Drafts, and earlier plans (archived) that may be put back in force.
  const publishable = props.canEdit && !!plan && plan.status !== "published";
  const figures = state?.figures;
  const gridOf = state?.gridOf;
  const selectedFigures = selected ? figures?.get(selected) : undefined;

  // Another plan or community: nothing selected.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the plan or the community changes, on purpose.
  useEffect(() => setSelected(null), [planId, community]);

  // Choosing a grid ends "new grid" mode: strokes go into the chosen grid.
  useEffect(() => {
    if (selected) setNewGrid(false);
  }, [selected]);

  // A finished edit ends the stroke's preview.
  useEffect(() => {
    if (!edits.busy) setPreview([]);
  }, [edits.busy]);

  // The camera goes to the community once its parcels are known.
  useEffect(() => {
    if (atlas && territory) atlas.fitBounds(territory.bbox, { right: 380 });
  }, [atlas, territory]);

  const overlay = usePlanOverlay(territory, state);
  const colourOf = useGridColours(territory, state);
  const marked = useMemo(() => [...preview, ...(pending?.kind === "shape" ? pending.ids : [])], [preview, pending]);
  useParcelStates(atlas, territory, state, colourOf, { selected, selectedFigures, pending: marked, focus });

  /** Paints parcels into a grid or a new one, which becomes the selected grid. */
  const paintInto = useCallback(
    async (ids: number[], target: string) => {
      const created = await paint(ids, target);
      if (created) setSelected(created);
    },
    [paint],
  );

  const stroke = useCallback(
    (ids: Array<string | number>, done: boolean) => {
      const expanded = territory ? expandToUnit(ids.map(Number), unit, territory.info) : [];
      if (!done) {
        setPreview(expanded);
        return;
      }
      const target = selected ?? (newGrid ? "new" : null);
      if (tool === "eraser") void edits.erase(expanded);
      else if (target) {
        setNewGrid(false);
        void paintInto(expanded, target);
      } else {
        setPreview([]);
        setMessage({ tone: "info", text: t("editor.chooseGridFirst") });
      }
    },
    [territory, unit, tool, selected, newGrid, edits.erase, paintInto, setMessage, t],
  );

  const area = useCallback(
    (ring: LngLat[]) => {
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
        void paintInto(ids, target);
      } else setMessage({ tone: "info", text: t("editor.chooseGridFirst") });
    },
    [territory, unit, tool, selected, newGrid, paintInto, setMessage, t],
  );

  /** The split keeps buildings whole (each to the side holding most of it) unless the planner turns it off. */
  const [snapSplit, setSnapSplit] = useState(true);
  const split = useCallback(
    (line: LngLat[]) => {
      if (!selected) {
        setMessage({ tone: "info", text: t("editor.chooseGridFirst") });
        return;
      }
      void edit(
        t("editor.busy.split"),
        (v) => splitGrid(planId, selected, v, line, snapSplit ? "buildings" : "none"),
        () => "reload",
      ).then((r) => {
        if (r) setMessage({ tone: "info", text: t("editor.splitDone", { seq: selected.slice(-3) }) });
      });
    },
    [selected, edit, planId, setMessage, t, snapSplit],
  );

  const undo = useCallback(() => {
    if (edits.stack.undo && editable)
      void edit(
        t("editor.busy.undo"),
        (v) => undoEdit(planId, v),
        () => "reload",
      );
  }, [edits.stack.undo, editable, edit, planId, t]);
  const redo = useCallback(() => {
    if (edits.stack.redo && editable)
      void edit(
        t("editor.busy.redo"),
        (v) => redoEdit(planId, v),
        () => "reload",
      );
  }, [edits.stack.redo, editable, edit, planId, t]);

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
  }, [figures, selected, select, setMessage, t]);

  const toggleTooltips = () =>
    setTooltips((on) => {
      localStorage.setItem(TOOLTIP_KEY, on ? "off" : "on");
      return !on;
    });

  const startNewGrid = () => {
    setSelected(null);
    setNewGrid(true);
  };

  useEditorKeys(!dialog, {
    undo,
    redo,
    tool: (chosen) => (editable || chosen === "select") && setTool(chosen),
    newGrid: () => editable && startNewGrid(),
    unit: setUnit,
    nextProblem: goNextProblem,
    tooltips: toggleTooltips,
    escape: () => {
      if (pending) setPending(null);
      else if (newGrid) setNewGrid(false);
      else if (tool !== "select") setTool("select");
      else setSelected(null);
    },
  });

  const confirmShape = (target: string) => {
    if (pending?.kind !== "shape") return;
    const ids = pending.ids;
    setPending(null);
    void paintInto(ids, target);
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
  const loading = !state || !territory || !plan;

  return (
    <div className="app editor">
      <BaseMapView
        base={props.base}
        overlay={overlay}
        selection={null}
        inset={PLAN_INSET}
        onReady={onReady}
        print={{ plan: planId, community }}
        searchPlan={planId}
      />
      {props.bar}

      {plan && (
        <EditorTools
          plan={plan}
          version={state?.version ?? plan.version}
          editable={!!editable}
          publishable={publishable}
          tool={tool}
          onTool={setTool}
          unit={unit}
          onUnit={setUnit}
          canUndo={edits.stack.undo}
          canRedo={edits.stack.redo}
          busy={!!edits.busy}
          onUndo={undo}
          onRedo={redo}
          newGrid={newGrid}
          onNewGrid={() => {
            if (tool === "select" || tool === "eraser" || tool === "split" || tool === "merge") setTool("brush");
            startNewGrid();
          }}
          onRebalance={() => setDialog("rebalance")}
          onCompare={() => props.onCompare(plan)}
          onRenumber={() => setDialog("renumber")}
          onPublish={() => setDialog("publish")}
          tooltips={tooltips}
          onTooltips={toggleTooltips}
        />
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
          {tool === "split" && (
            <label className="check split-snap">
              <input
                type="checkbox"
                checked={snapSplit}
                onChange={(e) => setSnapSplit(e.target.checked)}
                data-testid="split-snap"
              />
              {t("editor.splitSnap")}
            </label>
          )}
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
          history={edits.history}
          onSplit={() => setTool("split")}
          onMerge={() => setTool("merge")}
        />
      )}

      {hovered && hover && (
        <ParcelTooltip
          at={hover}
          parcel={hovered}
          grid={hoveredGrid}
          gridHouseholds={hoveredGrid ? figures?.get(hoveredGrid)?.households : undefined}
        />
      )}

      {edits.busy && (
        <div className="busy" role="status" data-testid="busy">
          {edits.busy}
        </div>
      )}
      {edits.message && <MessageBar message={edits.message} onClose={() => setMessage(null)} />}

      {loading && !edits.loadError && <Progress label={t("editor.loading")} detail="" done={0} total={1} />}
      {edits.loadError && <LoadError error={edits.loadError} onRetry={edits.retry} />}

      {dialog === "publish" && plan && (
        <PublishDialog
          planId={planId}
          version={edits.version()}
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
          version={edits.version()}
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
          version={edits.version()}
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

function LoadError(props: { error: ApiError; onRetry: () => void }) {
  const { lang, t } = useLang();
  return (
    <Banner
      title={t("app.errorTitle")}
      actions={
        <button type="button" onClick={props.onRetry}>
          {t("app.retry")}
        </button>
      }
    >
      {props.error.text(lang)}
    </Banner>
  );
}

function sumHouseholds(ids: number[], territory: Territory | null): number {
  return ids.reduce((n, id) => n + (territory?.info.get(id)?.households ?? 0), 0);
}
