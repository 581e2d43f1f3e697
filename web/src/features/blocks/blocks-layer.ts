import type { LayerSpecification } from "maplibre-gl";
import { MAP_COLORS } from "../../map/palette.ts";
import { tileSource } from "../../map/sources.ts";

/** Blocks are the ground of the basemap: land a warm paper tone, blocks of water blue. */
export const blocksSource = tileSource("blocks", "id");

export function blocksLayers(): LayerSpecification[] {
  return [
    {
      id: "blocks-fill",
      type: "fill",
      source: "blocks",
      "source-layer": "blocks",
      paint: {
        "fill-color": ["match", ["get", "kind"], "water", MAP_COLORS.water, MAP_COLORS.land],
        "fill-outline-color": "#e6e0d2",
      },
    },
  ];
}
