import type { Conflict, PlanDetail } from "../../api.ts";
import { formatNumber, type Lang, type MessageKey, useLang } from "../../i18n/lang.ts";
import { formatDateTime } from "../../i18n/time.ts";
import type { SketchMode } from "../../map/sketch.ts";
import type { EditorMessage } from "./plan-edits.ts";
import type { PaintUnit, ParcelInfo } from "./plan-model.ts";

export type Tool = "select" | "brush" | "eraser" | "box" | "lasso" | "polygon" | "split" | "merge";

/** Tools, their keys and the pointer gesture each takes. */
export const TOOLS: Array<{ tool: Tool; key: string; sketch: SketchMode; icon: string }> = [
  { tool: "select", key: "v", sketch: "none", icon: "➤" },
  { tool: "brush", key: "b", sketch: "brush", icon: "✎" },
  { tool: "eraser", key: "e", sketch: "brush", icon: "⌫" },
  { tool: "box", key: "r", sketch: "box", icon: "▭" },
  { tool: "lasso", key: "l", sketch: "lasso", icon: "◌" },
  { tool: "polygon", key: "p", sketch: "polygon", icon: "⬠" },
  { tool: "split", key: "s", sketch: "line", icon: "✂" },
  { tool: "merge", key: "m", sketch: "none", icon: "⊕" },
];

/** What a stroke takes, keyed 1, 2, 3. */
export const UNITS: PaintUnit[] = ["parcel", "building", "compound"];

/**
 * The editor's tool column: the plan and its version; for a draft, the tools, the paint unit, undo and redo, a new
 * grid and the rebalancer; comparing, renumbering and publishing where they apply; the tooltips switch.
 */
export function EditorTools(props: {
  plan: PlanDetail;
  version: number;
  editable: boolean;
  publishable: boolean;
  tool: Tool;
  onTool: (tool: Tool) => void;
  unit: PaintUnit;
  onUnit: (unit: PaintUnit) => void;
  canUndo: boolean;
  canRedo: boolean;
  busy: boolean;
  onUndo: () => void;
  onRedo: () => void;
  newGrid: boolean;
  onNewGrid: () => void;
  onRebalance: () => void;
  onCompare: () => void;
  onRenumber: () => void;
  onPublish: () => void;
  tooltips: boolean;
  onTooltips: () => void;
}) {
  const { t } = useLang();
  const { plan, tool, unit } = props;
  return (
    <div className="tools" data-testid="editor-tools" role="toolbar" aria-label={t("editor.tools")}>
      <div className="tools-plan">
        <strong>{plan.name}</strong>
        <span className="muted">
          {t(`plan.status.${plan.status}` as MessageKey)} · v{props.version}
        </span>
      </div>
      {props.editable && (
        <>
          <div className="tools-group">
            {TOOLS.map((x) => (
              <button
                key={x.tool}
                type="button"
                className={tool === x.tool ? "tool tool-active" : "tool"}
                aria-pressed={tool === x.tool}
                title={`${t(`editor.tool.${x.tool}` as MessageKey)} (${x.key.toUpperCase()})`}
                onClick={() => props.onTool(x.tool)}
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
                onClick={() => props.onUnit(u)}
                data-testid={`unit-${u}`}
              >
                {t(`editor.unit.${u}` as MessageKey)}
              </button>
            ))}
          </fieldset>
          <div className="tools-group tools-row">
            <button
              type="button"
              onClick={props.onUndo}
              disabled={!props.canUndo || props.busy}
              title="Ctrl+Z"
              data-testid="undo"
            >
              ↶ {t("editor.undo")}
            </button>
            <button
              type="button"
              onClick={props.onRedo}
              disabled={!props.canRedo || props.busy}
              title="Ctrl+Shift+Z"
              data-testid="redo"
            >
              ↷ {t("editor.redo")}
            </button>
          </div>
          <div className="tools-group">
            <button
              type="button"
              onClick={props.onNewGrid}
              className={props.newGrid ? "tool-active" : undefined}
              aria-pressed={props.newGrid}
              data-testid="new-grid"
              title={t("editor.newGridHint")}
            >
              ＋ {t("editor.newGrid")}
            </button>
            <button type="button" onClick={props.onRebalance} data-testid="rebalance">
              ⚖ {t("editor.rebalance")}
            </button>
          </div>
        </>
      )}
      <div className="tools-group">
        {plan.based_on !== null && (
          <button type="button" onClick={props.onCompare} data-testid="compare">
            ⇄ {t("editor.compare")}
          </button>
        )}
        {props.editable && (
          <button type="button" onClick={props.onRenumber} data-testid="renumber">
            {t("editor.renumber")}
          </button>
        )}
        {props.publishable && (
          <button type="button" className="primary" onClick={props.onPublish} data-testid="publish">
            {plan.status === "draft" ? t("editor.publish") : t("editor.republish")}
          </button>
        )}
      </div>
      <label className="check tools-check">
        <input type="checkbox" checked={props.tooltips} onChange={props.onTooltips} data-testid="tooltips" />
        {t("editor.tooltips")} (T)
      </label>
    </div>
  );
}

/** The parcel under the pointer: its grid with the grid's households, its own households and building. */
export function ParcelTooltip(props: {
  at: { x: number; y: number };
  parcel: ParcelInfo;
  grid: string | undefined;
  gridHouseholds: number | undefined;
}) {
  const { lang, t } = useLang();
  const { parcel, grid } = props;
  return (
    <div className="tooltip" style={{ left: props.at.x + 14, top: props.at.y + 14 }} data-testid="tooltip">
      <div>
        <strong>{grid ? t("grid.title", { seq: grid.slice(-3) }) : "—"}</strong>
        {props.gridHouseholds !== undefined && (
          <span> · {t("household.count", { n: formatNumber(lang, props.gridHouseholds) })}</span>
        )}
      </div>
      <div className="muted">
        {t("parcel.n", { id: parcel.id })} · {t("household.count", { n: parcel.households })}
        {parcel.building_id !== null && ` · ${parcel.building_name ?? t("building.n", { id: parcel.building_id })}`}
      </div>
    </div>
  );
}

/** A hint or a refusal over the map; a conflict lists who changed what since the version the planner held. */
export function MessageBar(props: { message: EditorMessage; onClose: () => void }) {
  const { lang, t } = useLang();
  const { message } = props;
  return (
    <div className={`message message-${message.tone}`} role="alert" data-testid="editor-message">
      <div className="message-text">
        {message.text}
        {message.changes && message.changes.length > 0 && <ConflictChanges changes={message.changes} lang={lang} />}
      </div>
      <button type="button" className="panel-close" onClick={props.onClose} aria-label={t("app.dismiss")}>
        ×
      </button>
    </div>
  );
}

function ConflictChanges(props: { changes: Conflict["changes"]; lang: Lang }) {
  const { lang } = props;
  return (
    <ul className="plain-list message-changes" data-testid="conflict-changes">
      {props.changes.map((c) => (
        <li key={`${c.at}-${c.zh}`}>
          <code>{c.actor}</code> {lang === "zh" ? c.zh : c.en}
          <span className="muted"> · {formatDateTime(lang, c.at)}</span>
        </li>
      ))}
    </ul>
  );
}
