import type { LayerSpecification } from "maplibre-gl";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { labelPoints } from "../../map/label-points.ts";
import { geojsonSource, tileSource } from "../../map/sources.ts";

export const compoundsSource = tileSource("compounds", "id");

/** One label point per compound, so a name is written once and not once per tile. */
export const compoundsLabelsSource = geojsonSource("id");

export function compoundLabelPoints(
  compounds: GeoJSON.FeatureCollection<GeoJSON.Geometry, { id: number; name: string }>,
) {
  return labelPoints(compounds, ({ id, name }) => ({ id, name }));
}

/** Compounds are drawn as a faint ground tint and a dashed fence line: the grid plan should respect them. */
export function compoundsLayers(): LayerSpecification[] {
  return [
    {
      id: "compounds-fill",
      type: "fill",
      source: "compounds",
      "source-layer": "compounds",
      paint: { "fill-color": ["match", ["get", "kind"], "old_area", "#efe6d8", "campus", "#e8eee0", "#ece9f2"] },
    },
    {
      id: "compounds-line",
      type: "line",
      source: "compounds",
      "source-layer": "compounds",
      minzoom: 14,
      paint: {
        "line-color": "#6f6580",
        "line-width": ["interpolate", ["linear"], ["zoom"], 14, 0.6, 18, 1.6],
        "line-dasharray": [3, 2],
        "line-opacity": 0.7,
      },
    },
    {
      id: "compounds-label",
      type: "symbol",
      source: "compounds-labels",
      minzoom: 16,
      layout: {
        "text-field": ["get", "name"],
        "text-font": LABEL_FONT,
        "text-size": 12,
        "text-max-width": 8,
      },
      paint: { "text-color": "#5a5068", "text-halo-color": "rgba(255,255,255,0.85)", "text-halo-width": 1.2 },
    },
  ];
}
