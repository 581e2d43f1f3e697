import type { ExpressionSpecification, GeoJSONSourceSpecification, LayerSpecification } from "maplibre-gl";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { geojsonSource } from "../../map/sources.ts";

/**
 * What the data page draws over the base map: the features of a file being previewed (id = row number, so rows the
 * import refused can be marked) and the problems of a hand-drawn plan (overlaps, gaps, split buildings and
 * compounds, by `properties.kind`).
 */
export const importsSources: Record<string, GeoJSONSourceSpecification> = {
  "imports-preview": geojsonSource(),
  "imports-problems": geojsonSource(),
};

/** The colour of each kind of problem a hand-drawn plan had; the list under the map uses the same. */
export const PROBLEM_KINDS = ["overlap", "gap", "building_split", "compound_split"] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];
export const PROBLEM_COLORS: Record<ProblemKind, string> = {
  overlap: "#d62828",
  gap: "#f77f00",
  building_split: "#6a4c93",
  compound_split: "#0f8b8d",
};

/** The preview's colours: rows as read, and rows the last import refused. */
export const OK_COLOR = "#1d6fd6";
export const BAD_COLOR = "#d62828";

/**
 * The colour of each layer of a territory import in its preview (features carry `properties.layer`; those with
 * `properties.bad` have a problem and are drawn as refused rows are).
 */
export const TERRITORY_LAYER_COLORS = {
  communities: "#1d6fd6",
  compounds: "#0f8b8d",
  buildings: "#6a4c93",
  roads: "#f77f00",
  water: "#2a9df4",
  landuse: "#8a9a5b",
} as const;

const isPolygon: ExpressionSpecification = ["in", ["geometry-type"], ["literal", ["Polygon", "MultiPolygon"]]];
const isLine: ExpressionSpecification = ["in", ["geometry-type"], ["literal", ["LineString", "MultiLineString"]]];
const isPoint: ExpressionSpecification = ["in", ["geometry-type"], ["literal", ["Point", "MultiPoint"]]];

/** The preview's and the plan report's layers; `badRows` are the rows the last import refused, drawn in red. */
export function importsLayers(badRows: number[]): LayerSpecification[] {
  const bad: ExpressionSpecification = ["any", ["in", ["id"], ["literal", badRows]], ["==", ["get", "bad"], true]];
  const color: ExpressionSpecification = [
    "case",
    bad,
    BAD_COLOR,
    ["has", "layer"],
    ["match", ["get", "layer"], ...Object.entries(TERRITORY_LAYER_COLORS).flat(), OK_COLOR],
    OK_COLOR,
  ] as unknown as ExpressionSpecification;
  // A territory's communities lie under everything else: barely tinted, so that its buildings show through.
  const fillOpacity: ExpressionSpecification = ["match", ["get", "layer"], "communities", 0.06, 0.3];
  const kindColor: ExpressionSpecification = [
    "match",
    ["get", "kind"],
    ...Object.entries(PROBLEM_COLORS).flat(),
    "#555",
  ] as unknown as ExpressionSpecification;
  return [
    {
      id: "imports-preview-fill",
      type: "fill",
      source: "imports-preview",
      filter: isPolygon,
      paint: { "fill-color": color, "fill-opacity": fillOpacity },
    },
    {
      id: "imports-preview-line",
      type: "line",
      source: "imports-preview",
      filter: ["any", isPolygon, isLine],
      paint: {
        "line-color": color,
        "line-width": ["case", bad, 2.5, ["match", ["get", "layer"], ["communities", "roads"], 2, 1.5]],
      },
    },
    {
      id: "imports-preview-point",
      type: "circle",
      source: "imports-preview",
      filter: isPoint,
      paint: {
        "circle-color": color,
        "circle-radius": ["case", bad, 7, 5],
        "circle-stroke-color": "#fff",
        "circle-stroke-width": 1.5,
      },
    },
    {
      id: "imports-preview-label",
      type: "symbol",
      source: "imports-preview",
      filter: bad,
      layout: {
        "text-field": ["concat", "#", ["to-string", ["id"]]],
        "text-font": LABEL_FONT,
        "text-size": 12,
        "text-offset": [0, 1.2],
        "text-allow-overlap": true,
      },
      paint: { "text-color": BAD_COLOR, "text-halo-color": "#fff", "text-halo-width": 1.5 },
    },
    {
      id: "imports-problems-fill",
      type: "fill",
      source: "imports-problems",
      filter: isPolygon,
      paint: { "fill-color": kindColor, "fill-opacity": 0.35 },
    },
    {
      id: "imports-problems-line",
      type: "line",
      source: "imports-problems",
      paint: { "line-color": kindColor, "line-width": 2 },
    },
    {
      id: "imports-problems-point",
      type: "circle",
      source: "imports-problems",
      filter: isPoint,
      paint: { "circle-color": kindColor, "circle-radius": 6 },
    },
  ];
}

/** What a tab of the data page asks the map to show; the map frames a new preview when it arrives. */
export type MapOverlay = {
  preview: GeoJSON.FeatureCollection | null;
  badRows: number[];
  problems: GeoJSON.FeatureCollection | null;
  /** What the colours mean, where the tab says it itself (the territory import's layers). */
  legend?: { color: string; label: string; testId?: string }[];
};

export const EMPTY_OVERLAY: MapOverlay = { preview: null, badRows: [], problems: null };
