import type { LayerSpecification } from "maplibre-gl";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { geojsonSource } from "../../map/sources.ts";

export const waterSource = geojsonSource("id");

export function waterLayers(): LayerSpecification[] {
  return [
    {
      id: "water-fill",
      type: "fill",
      source: "water",
      paint: { "fill-color": "#a9cde0", "fill-outline-color": "#8fb9d0" },
    },
    {
      id: "water-label",
      type: "symbol",
      source: "water",
      minzoom: 13,
      filter: ["has", "name"],
      layout: {
        "text-field": ["get", "name"],
        "text-font": LABEL_FONT,
        "text-size": 12,
        "text-letter-spacing": 0.3,
      },
      paint: { "text-color": "#3d6f8e", "text-halo-color": "rgba(255,255,255,0.8)", "text-halo-width": 1.2 },
    },
  ];
}
