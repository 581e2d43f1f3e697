import type { ExpressionSpecification, LayerSpecification, SourceSpecification } from "maplibre-gl";
import { geojsonSource } from "../../map/sources.ts";

/** Days since the last visit at which an entrance turns from green to amber, and from amber to red (monthly visits). */
export const VISIT_DUE_DAYS = 30;
export const VISIT_LATE_DAYS = 60;

/** Colours readable in sunlight on a phone: saturated, dark enough for white text and outlines. */
export const VISIT_COLOURS = { fresh: "#0a7d32", due: "#b35c00", late: "#c1121f", never: "#6b0f9e" } as const;

export const fieldSources: Record<string, SourceSpecification> = {
  "field-grids": geojsonSource("code"),
  "field-entrances": geojsonSource("id"),
  "field-venues": geojsonSource("id"),
  "field-hazards": geojsonSource("id"),
  "field-pin": geojsonSource(),
};

/** Entrances carry `days` (days since their last visit, -1 when never visited) set by the page. */
const visitColour: ExpressionSpecification = [
  "case",
  ["<", ["get", "days"], 0],
  VISIT_COLOURS.never,
  ["<=", ["get", "days"], VISIT_DUE_DAYS],
  VISIT_COLOURS.fresh,
  ["<=", ["get", "days"], VISIT_LATE_DAYS],
  VISIT_COLOURS.due,
  VISIT_COLOURS.late,
];

/** The worker's grids under the roads, then their entrances, venues and hazards on top, then the pin of a report. */
export const fieldLayers: LayerSpecification[] = [
  {
    id: "field-grids-fill",
    type: "fill",
    source: "field-grids",
    paint: { "fill-color": "#1d4ed8", "fill-opacity": 0.08 },
  },
  {
    id: "field-grids-line",
    type: "line",
    source: "field-grids",
    paint: { "line-color": "#1d4ed8", "line-width": 3 },
  },
  {
    id: "field-entrances",
    type: "circle",
    source: "field-entrances",
    paint: {
      "circle-color": visitColour,
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 4, 17, 9],
      "circle-stroke-color": "#ffffff",
      "circle-stroke-width": 2,
    },
  },
  {
    id: "field-venues",
    type: "circle",
    source: "field-venues",
    paint: {
      "circle-color": "#0f172a",
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 4, 17, 8],
      "circle-stroke-color": "#facc15",
      "circle-stroke-width": 3,
    },
  },
  {
    id: "field-hazards",
    type: "circle",
    source: "field-hazards",
    paint: {
      "circle-color": ["match", ["get", "severity"], "high", "#c1121f", "medium", "#b35c00", "#475569"],
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 5, 17, 10],
      "circle-stroke-color": "#000000",
      "circle-stroke-width": 2,
    },
  },
  {
    id: "field-pin",
    type: "circle",
    source: "field-pin",
    paint: {
      "circle-color": "#facc15",
      "circle-radius": 12,
      "circle-stroke-color": "#000000",
      "circle-stroke-width": 3,
    },
  },
];

/** The layers a tap picks from, nearest thing first. */
export const FIELD_PICK_LAYERS = ["field-hazards", "field-venues", "field-entrances"];
