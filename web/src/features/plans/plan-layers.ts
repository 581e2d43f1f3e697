import type { ExpressionSpecification, LayerSpecification } from "maplibre-gl";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { geojsonSource } from "../../map/sources.ts";

/** Room the plan views' panels take over the map: the tool column on the left, the figures on the right. */
export const PLAN_INSET = { top: 56, right: 380, bottom: 40, left: 190 };

/** Parcels by id; their grid colour, selection and previews are feature-state, so edits never reload the source. */
export const parcelsSource = geojsonSource("id");

/** Boundaries between two parcels (ids from the server); feature-state `boundary` marks those between two grids. */
export const parcelEdgesSource = geojsonSource();

/** One label point per grid of the plan, rebuilt (a few hundred points) after each edit. */
export const planLabelsSource = geojsonSource("code");

const state = (key: string): ExpressionSpecification => ["boolean", ["feature-state", key], false];

/** Previews strongest, the selected grid stronger than the rest, unchanged parcels faint when comparing. */
const fillOpacity = (base: number): ExpressionSpecification => [
  "case",
  state("pending"),
  0.85,
  state("selected"),
  base + 0.25,
  state("dim"),
  0.1,
  base,
];

/**
 * The editor's and the comparison's layers. Parcels are filled in their grid's colour (feature-state `color`),
 * stronger in the selected grid; a brush or shape preview (`pending`), the loose pieces of a broken grid (`piece`)
 * and, when comparing, the parcels that changed grid (`changed`) are outlined on top. Grid boundaries are the
 * parcel edges whose two parcels lie in different grids; `old` marks those of the plan compared against.
 */
export function planLayers(): LayerSpecification[] {
  return [
    {
      id: "parcels-fill",
      type: "fill",
      source: "parcels",
      paint: {
        "fill-color": ["to-color", ["coalesce", ["feature-state", "color"], "#bbbbbb"]],
        "fill-opacity": ["interpolate", ["linear"], ["zoom"], 13, fillOpacity(0.5), 16, fillOpacity(0.34)],
      },
    },
    {
      id: "parcels-line",
      type: "line",
      source: "parcels",
      minzoom: 15,
      paint: { "line-color": "#ffffff", "line-width": 0.6, "line-opacity": 0.7 },
    },
    {
      id: "parcel-edges-old",
      type: "line",
      source: "parcel-edges",
      layout: { "line-join": "round" },
      paint: {
        "line-color": "#d55e00",
        "line-width": 2.6,
        "line-dasharray": [1.5, 1.2],
        "line-opacity": ["case", state("old"), 1, 0],
      },
    },
    {
      id: "parcel-edges-line",
      type: "line",
      source: "parcel-edges",
      layout: { "line-join": "round", "line-cap": "round" },
      paint: {
        "line-color": ["case", state("selected"), "#111111", "#26303a"],
        "line-width": [
          "interpolate",
          ["linear"],
          ["zoom"],
          13,
          ["case", state("selected"), 2.6, 1.2],
          17,
          ["case", state("selected"), 4, 2.2],
        ],
        "line-opacity": ["case", state("boundary"), 1, 0],
      },
    },
    {
      id: "parcels-highlight",
      type: "line",
      source: "parcels",
      paint: {
        "line-color": [
          "case",
          state("pending"),
          "#000000",
          state("piece"),
          "#d55e00",
          state("focus"),
          "#e69f00",
          "#0072b2",
        ],
        "line-width": ["case", state("pending"), 2.5, state("piece"), 3, state("focus"), 3.5, state("changed"), 2.5, 0],
        "line-dasharray": ["literal", [2, 1]],
      },
    },
    {
      id: "plan-labels",
      type: "symbol",
      source: "plan-labels",
      layout: {
        "text-field": [
          "format",
          ["get", "seq"],
          { "font-scale": 1.05 },
          "\n",
          {},
          ["get", "figure"],
          { "font-scale": 0.85 },
        ],
        "text-font": LABEL_FONT,
        "text-size": ["interpolate", ["linear"], ["zoom"], 13, 11, 16, 13, 18, 15],
        "text-padding": 1,
        "text-allow-overlap": false,
      },
      paint: { "text-color": "#17232b", "text-halo-color": "rgba(255,255,255,0.92)", "text-halo-width": 1.6 },
    },
  ];
}
