import type { LayerSpecification } from "maplibre-gl";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { labelPoints } from "../../map/label-points.ts";
import { MAP_COLORS } from "../../map/palette.ts";
import { geojsonSource, tileSource } from "../../map/sources.ts";

export const waterSource = tileSource("water", "id");

/** One label point per named water body, so a name is written once and not once per tile. */
export const waterLabelsSource = geojsonSource("id");

export function waterLabelPoints(
  water: GeoJSON.FeatureCollection<GeoJSON.Geometry, { id: number; name: string | null }>,
) {
  return labelPoints({ ...water, features: water.features.filter((f) => f.properties.name) }, ({ id, name }) => ({
    id,
    name,
  }));
}

export function waterLayers(): LayerSpecification[] {
  return [
    {
      id: "water-fill",
      type: "fill",
      source: "water",
      "source-layer": "water",
      paint: { "fill-color": MAP_COLORS.water, "fill-outline-color": "#8fb9d0" },
    },
    {
      id: "water-label",
      type: "symbol",
      source: "water-labels",
      minzoom: 13,
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
