import { useEffect, useState } from "react";
import type { CameraFeature, CameraPatch } from "../../api.ts";
import { type MessageKey, useLang } from "../../i18n/lang.ts";
import { cameraIcon, shapeOf } from "./cameras-layers.ts";
import { pct } from "./coverage-table.tsx";

export const CAMERA_TYPES = ["dome", "half_dome", "fixed", "ptz"] as const;
export const CAMERA_STATUSES = ["online", "offline", "planned"] as const;
/** Dome and PTZ cameras count their full sweep: their width of view is 360° and not theirs to change. */
export const fullSweep = (type: string) => type === "dome" || type === "ptz";

/** How a change moved the coverage of one grid it reached: road and key places seen, before and after. */
export type GridDelta = {
  code: string;
  road: [before: number | null, after: number | null];
  key: [before: number | null, after: number | null];
};

type NumberField = "bearing_deg" | "view_width_deg" | "range_m" | "mount_height_m";
const FIELDS: Array<{ key: NumberField; label: MessageKey; min: number; max: number; step: number }> = [
  { key: "bearing_deg", label: "camera.bearing", min: 0, max: 359, step: 1 },
  { key: "view_width_deg", label: "camera.width", min: 1, max: 360, step: 1 },
  { key: "range_m", label: "camera.range", min: 1, max: 500, step: 1 },
  { key: "mount_height_m", label: "camera.height", min: 0.5, max: 100, step: 0.5 },
];

/**
 * A camera's card: its type, bearing, width of view, range, mount height and status, with the values that are
 * its type's defaults marked as such. Those who may edit it change each value here (a bearing also by the
 * handle on the map); every change is sent at once and the card shows how the coverage of the grids the camera
 * reaches moved.
 */
export function CameraCard(props: {
  camera: CameraFeature;
  editable: boolean;
  /** A secretary plans only: the status of a planned camera is not theirs to change. */
  statusEditable: boolean;
  saving: boolean;
  /** Counts the changes the server refused. */
  refused: number;
  deltas: GridDelta[] | null;
  onPatch: (patch: CameraPatch) => void;
  onPreview: (values: Partial<Record<NumberField, number>>) => void;
  onRemove: () => void;
  onClose: () => void;
}) {
  const { t } = useLang();
  const p = props.camera.properties;
  const [values, setValues] = useState<Record<NumberField, string>>(() => asText(p));
  // The server's answer (or a drag on the map, or a refusal) replaces what the inputs hold.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `refused` puts the values back after a refused change.
  useEffect(() => setValues(asText(p)), [p, props.refused]);

  const commit = (key: NumberField) => {
    const v = Number(values[key]);
    if (values[key] === "" || !Number.isFinite(v) || v === p[key]) {
      setValues(asText(p));
      return;
    }
    props.onPatch({ [key]: key === "bearing_deg" ? ((Math.round(v) % 360) + 360) % 360 : v });
  };
  const defaulted = new Set(p.defaulted);
  const locked = !props.editable || props.saving;

  return (
    <section className="cam-card" data-testid="camera-card" data-camera={p.id} aria-label={p.name}>
      <header>
        <img src={cameraIconUrl(p.type, p.status)} alt="" width={24} height={24} />
        <div className="cam-grow">
          <h2>{p.name}</h2>
          <div className="cam-muted">{p.grid_code ? t("camera.inGrid", { grid: p.grid_code.slice(-3) }) : ""}</div>
        </div>
        <button type="button" className="cam-close" onClick={props.onClose} aria-label={t("grid.close")}>
          ×
        </button>
      </header>
      <div className="cam-fields">
        <label>
          <span>{t("camera.type")}</span>
          <select
            value={p.type}
            disabled={locked}
            data-testid="camera-type"
            onChange={(e) => props.onPatch({ type: e.target.value as (typeof CAMERA_TYPES)[number] })}
          >
            {CAMERA_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`camera.type.${type}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        {FIELDS.map((f) => {
          const fixed = f.key === "view_width_deg" && fullSweep(p.type);
          return (
            <label key={f.key}>
              <span>
                {t(f.label)}
                {defaulted.has(f.key) && (
                  <em className="cam-default" data-testid={`default-${f.key}`}>
                    {t("camera.default")}
                  </em>
                )}
              </span>
              <input
                type="number"
                min={f.min}
                max={f.max}
                step={f.step}
                value={values[f.key]}
                disabled={locked || fixed}
                data-testid={`camera-${f.key}`}
                onChange={(e) => setValues((s) => ({ ...s, [f.key]: e.target.value }))}
                onBlur={() => commit(f.key)}
                onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
              />
            </label>
          );
        })}
        {props.editable && !fullSweep(p.type) && (
          <label className="cam-slider">
            <span>{t("camera.rotate")}</span>
            <input
              type="range"
              min={0}
              max={359}
              value={Number(values.bearing_deg) || 0}
              disabled={locked}
              data-testid="camera-bearing-slider"
              onChange={(e) => {
                setValues((s) => ({ ...s, bearing_deg: e.target.value }));
                props.onPreview({ bearing_deg: Number(e.target.value) });
              }}
              onPointerUp={() => commit("bearing_deg")}
              onKeyUp={() => commit("bearing_deg")}
            />
          </label>
        )}
        <label>
          <span>{t("camera.status")}</span>
          <select
            value={p.status}
            disabled={locked || !props.statusEditable}
            data-testid="camera-status"
            onChange={(e) => props.onPatch({ status: e.target.value as (typeof CAMERA_STATUSES)[number] })}
          >
            {CAMERA_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`camera.status.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {props.editable && <p className="cam-hint">{t(fullSweep(p.type) ? "camera.dragHintDome" : "camera.dragHint")}</p>}
      {!props.editable && <p className="cam-hint">{t("camera.readOnly")}</p>}
      {props.saving && <progress className="cam-busy" aria-label={t("camera.saving")} data-testid="camera-saving" />}
      {props.deltas && (
        <div className="cam-deltas" data-testid="camera-deltas">
          <h3>{t("coverage.deltaTitle")}</h3>
          {props.deltas.length === 0 && <p className="cam-muted">{t("coverage.deltaNone")}</p>}
          <table>
            <tbody>
              {props.deltas.map((d) => (
                <tr key={d.code} data-testid={`delta-${d.code}`}>
                  <th>{t("camera.inGrid", { grid: d.code.slice(-3) })}</th>
                  <td>
                    {t("coverage.col.road")} {pct(d.road[0])} → <b className={trend(d.road)}>{pct(d.road[1])}</b>
                  </td>
                  <td>
                    {t("coverage.col.keyPlaces")} {pct(d.key[0])} → <b className={trend(d.key)}>{pct(d.key[1])}</b>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.editable && p.status === "planned" && (
        <button
          type="button"
          className="cam-danger"
          disabled={props.saving}
          onClick={props.onRemove}
          data-testid="camera-remove"
        >
          {t("camera.remove")}
        </button>
      )}
    </section>
  );
}

const trend = ([a, b]: [number | null, number | null]) =>
  a === null || b === null || Math.abs(a - b) < 1e-9 ? "" : b > a ? "cam-up" : "cam-down";

function asText(p: CameraFeature["properties"]): Record<NumberField, string> {
  return {
    bearing_deg: String(Math.round(p.bearing_deg * 10) / 10),
    view_width_deg: String(p.view_width_deg),
    range_m: String(p.range_m),
    mount_height_m: String(p.mount_height_m),
  };
}

/** The camera's map symbol as an image for the card and the legend. */
export function cameraIconUrl(type: string, status: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(cameraIcon(shapeOf(type), status))}`;
}
