import { area as turfArea, length as turfLength } from "@turf/turf";
import { useEffect, useState } from "react";
import { fetchDownload, toApiError } from "../api.ts";
import { useLang } from "../i18n/lang.ts";
import type { AtlasMap } from "./atlas-map.ts";
import type { LngLat } from "./geo.ts";

/** What the print button asks the server's print route for: a plan (the published one when absent), a community. */
export type MapPrint = { plan?: number; community?: string | null };

type MeasureMode = "distance" | "area";

/**
 * The measured figure of clicked points. Turf measures on the sphere, which at a subdistrict's size agrees with
 * the metric CRS (CGCS2000 Gauss-Krüger) the server measures in to well under a metre per kilometre.
 */
export function measured(mode: MeasureMode, points: LngLat[]): number {
  if (mode === "distance") {
    if (points.length < 2) return 0;
    return turfLength(
      { type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: points } },
      { units: "meters" },
    );
  }
  if (points.length < 3) return 0;
  return turfArea({ type: "Polygon", coordinates: [[...points, points[0]!]] });
}

/** 812 m, 1.24 km; 640 m², 1.35 ha, 2.10 km² — in the page's language. */
export function formatMeasure(mode: MeasureMode, value: number, lang: "zh" | "en"): string {
  const zh = lang === "zh";
  if (mode === "distance") {
    return value < 1000
      ? `${value.toFixed(0)} ${zh ? "米" : "m"}`
      : `${(value / 1000).toFixed(2)} ${zh ? "千米" : "km"}`;
  }
  if (value < 10_000) return `${value.toFixed(0)} ${zh ? "平方米" : "m²"}`;
  if (value < 1_000_000) return `${(value / 10_000).toFixed(2)} ${zh ? "公顷" : "ha"}`;
  return `${(value / 1_000_000).toFixed(2)} ${zh ? "平方千米" : "km²"}`;
}

function measureOverlay(mode: MeasureMode, points: LngLat[]): GeoJSON.FeatureCollection {
  const features: GeoJSON.Feature[] = points.map((p) => ({
    type: "Feature",
    properties: {},
    geometry: { type: "Point", coordinates: p },
  }));
  if (mode === "area" && points.length >= 3) {
    features.push({
      type: "Feature",
      properties: {},
      geometry: { type: "Polygon", coordinates: [[...points, points[0]!]] },
    });
  } else if (points.length >= 2) {
    features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: points } });
  }
  return { type: "FeatureCollection", features };
}

/** The measuring tool's state: the desk's buttons and the phone's menu drive the same one. */
export type Measure = {
  mode: MeasureMode | null;
  points: LngLat[];
  done: boolean;
  /** Starts measuring in `m` (the same mode again, or null, stops). */
  start(m: MeasureMode | null): void;
  finish(): void;
};

/**
 * Measuring a distance or an area by clicking points on the map: each click adds one, the figure updates as they
 * come, a double click (or 完成) ends the shape, Escape starts over. While it is on, clicks belong to it (an
 * editor's drawing tool waits, `AtlasMap.captureClicks`).
 */
export function useMeasure(atlas: AtlasMap): Measure {
  const [mode, setMode] = useState<MeasureMode | null>(null);
  const [points, setPoints] = useState<LngLat[]>([]);
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!mode || done) return;
    return atlas.captureClicks(
      (at) => setPoints((p) => [...p, at]),
      () => setDone(true),
    );
  }, [atlas, mode, done]);

  useEffect(() => {
    atlas.setOverlay("measure", mode ? measureOverlay(mode, points) : null);
  }, [atlas, mode, points]);

  useEffect(() => {
    if (!mode) return;
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setPoints([]);
        setDone(false);
      }
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, [mode]);

  return {
    mode,
    points,
    done,
    start: (m) => {
      setMode(m === mode ? null : m);
      setPoints([]);
      setDone(false);
    },
    finish: () => setDone(true),
  };
}

/** The distance or area measured so far, with 完成 and 结束测量. */
export function MeasureReadout({ measure }: { measure: Measure }) {
  const { lang, t } = useLang();
  const { mode, points, done } = measure;
  if (!mode) return null;
  const value = measured(mode, points);
  return (
    <div className="map-measure-readout" aria-live="polite">
      <output data-testid="measure-value">
        {points.length < (mode === "distance" ? 2 : 3)
          ? t(mode === "distance" ? "measure.distanceHint" : "measure.areaHint")
          : `${t(mode === "distance" ? "measure.distance" : "measure.area")} ${formatMeasure(mode, value, lang)}`}
      </output>
      <div className="map-tool-row">
        {!done && points.length > 1 && (
          <button type="button" className="map-tool" onClick={measure.finish}>
            {t("measure.finish")}
          </button>
        )}
        <button type="button" className="map-tool" onClick={() => measure.start(null)}>
          {t("measure.close")}
        </button>
      </div>
    </div>
  );
}

/** The two measuring buttons, distance and area, pressed while on. */
export function MeasureButtons({ measure, onPick }: { measure: Measure; onPick?: () => void }) {
  const { t } = useLang();
  return (
    <>
      {(["distance", "area"] as const).map((m) => (
        <button
          key={m}
          type="button"
          className="map-tool"
          aria-pressed={measure.mode === m}
          onClick={() => {
            measure.start(m);
            onPick?.();
          }}
          title={t(m === "distance" ? "measure.distanceHint" : "measure.areaHint")}
        >
          {t(m === "distance" ? "measure.distance" : "measure.area")}
        </button>
      ))}
    </>
  );
}

/** The desk's measuring tool: its buttons in a row, the figure beneath. */
export function MeasureTool({ atlas }: { atlas: AtlasMap }) {
  const { t } = useLang();
  const measure = useMeasure(atlas);
  return (
    <div className="map-measure" data-testid="map-measure">
      <fieldset className="map-tool-row">
        <legend className="visually-hidden">{t("measure.title")}</legend>
        <MeasureButtons measure={measure} />
      </fieldset>
      <MeasureReadout measure={measure} />
    </div>
  );
}

/** Maps here are always north-up (rotation is off), so the arrow is fixed; it says so for screen readers too. */
export function NorthArrow() {
  const { t } = useLang();
  return (
    <div className="map-north" role="img" aria-label={t("map.north")} title={t("map.north")}>
      <svg viewBox="0 0 24 32" width="22" height="30" aria-hidden="true">
        <path d="M12 2 L20 26 L12 20 L4 26 Z" fill="#222" />
        <path d="M12 2 L12 20 L4 26 Z" fill="#fff" stroke="#222" strokeWidth="1" />
        <text x="12" y="32" textAnchor="middle" fontSize="8" fontWeight="700" fill="#222">
          N
        </text>
      </svg>
    </div>
  );
}

/**
 * Prints the map through the server's print route (headless Chromium draws the page as PDF), of the plan and
 * community the page shows, in the page's language.
 */
export function PrintButton({ print }: { print: MapPrint }) {
  const { lang, t } = useLang();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    const q = new URLSearchParams({ format: "pdf", paper: "A4", lang });
    if (print.plan) q.set("plan", String(print.plan));
    if (print.community) q.set("community", print.community);
    try {
      const file = await fetchDownload(`/api/exports/print/map?${q}`);
      const url = URL.createObjectURL(file.blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = file.filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setError(toApiError(err).text(lang));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="map-print">
      <button type="button" className="map-tool" onClick={run} disabled={busy} data-testid="map-print">
        {busy ? t("map.printing") : t("map.print")}
      </button>
      {error && (
        <p className="place-search-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
