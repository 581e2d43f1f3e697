import type { ExpressionSpecification, LayerSpecification } from "maplibre-gl";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { MAP_COLORS } from "../../map/palette.ts";
import { tileSource } from "../../map/sources.ts";

export const roadsSource = tileSource("roads", "id");

/** Line width in pixels by road class, growing with zoom roughly as the real carriageway would. */
function width(arterial: number, secondary: number, local: number): ExpressionSpecification {
  const byClass = (scale: number): ExpressionSpecification => [
    "match",
    ["get", "class"],
    "arterial",
    arterial * scale,
    "secondary",
    secondary * scale,
    local * scale,
  ];
  return ["interpolate", ["exponential", 1.6], ["zoom"], 12, byClass(0.5), 15, byClass(1.6), 18, byClass(6)];
}

export function roadsLayers(): LayerSpecification[] {
  return [
    {
      id: "roads-casing",
      type: "line",
      source: "roads",
      "source-layer": "roads",
      layout: { "line-join": "round", "line-cap": "round" },
      paint: { "line-color": MAP_COLORS.roadCasing, "line-width": width(7, 5, 3), "line-gap-width": 0 },
    },
    {
      id: "roads-line",
      type: "line",
      source: "roads",
      "source-layer": "roads",
      layout: { "line-join": "round", "line-cap": "round" },
      paint: {
        "line-color": ["match", ["get", "class"], "arterial", MAP_COLORS.arterialRoad, MAP_COLORS.road],
        "line-width": width(5.5, 3.8, 2),
      },
    },
    {
      id: "roads-label",
      type: "symbol",
      source: "roads",
      "source-layer": "roads",
      minzoom: 14,
      filter: ["has", "name"],
      layout: {
        "symbol-placement": "line",
        "text-field": ["get", "name"],
        "text-font": LABEL_FONT,
        "text-size": ["interpolate", ["linear"], ["zoom"], 14, 11, 18, 14],
        "text-max-angle": 30,
        "symbol-spacing": 400,
      },
      paint: { "text-color": MAP_COLORS.roadLabel, "text-halo-color": "#ffffff", "text-halo-width": 1.5 },
    },
  ];
}
