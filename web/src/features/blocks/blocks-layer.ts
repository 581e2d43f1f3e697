import type { LayerSpecification } from "maplibre-gl";
import { geojsonSource } from "../../map/sources.ts";

/** Blocks are the ground of the basemap: land a warm paper tone, blocks of water blue. */
export const blocksSource = geojsonSource("id");

export function blocksLayers(): LayerSpecification[] {
  return [
    {
      id: "blocks-fill",
      type: "fill",
      source: "blocks",
      paint: {
        "fill-color": ["match", ["get", "kind"], "water", "#a9cde0", "#f5f2ea"],
        "fill-outline-color": "#e6e0d2",
      },
    },
  ];
}
