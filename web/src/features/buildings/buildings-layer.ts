import type { LayerSpecification } from "maplibre-gl";
import { tileSource } from "../../map/sources.ts";

/** Buildings are drawn, and fetched for the visible area, only from this zoom on: below it they are specks. */
export const BUILDINGS_MIN_ZOOM = 15;

/** Buildings come as vector tiles; the tile layer has them from zoom 14. */
export const buildingsSource = tileSource("buildings", "id");

export function buildingsLayers(): LayerSpecification[] {
  return [
    {
      id: "buildings-fill",
      type: "fill",
      source: "buildings",
      "source-layer": "buildings",
      minzoom: BUILDINGS_MIN_ZOOM,
      paint: {
        "fill-color": ["match", ["get", "kind"], "shop", "#d8c3b0", "public", "#c9cfd8", "#d6cfc6"],
        "fill-opacity": ["interpolate", ["linear"], ["zoom"], BUILDINGS_MIN_ZOOM, 0, BUILDINGS_MIN_ZOOM + 0.5, 1],
      },
    },
    {
      id: "buildings-line",
      type: "line",
      source: "buildings",
      "source-layer": "buildings",
      minzoom: BUILDINGS_MIN_ZOOM,
      paint: { "line-color": "#a59b8f", "line-width": 0.7 },
    },
  ];
}
