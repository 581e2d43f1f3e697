import type { GeoJSONSourceSpecification } from "maplibre-gl";

/**
 * An empty GeoJSON source to be filled with `AtlasMap.setData` once its features arrive. `promoteId` names the
 * property that becomes the feature id, which feature-state (selection, hover) needs.
 */
export function geojsonSource(promoteId?: string): GeoJSONSourceSpecification {
  return {
    type: "geojson",
    data: { type: "FeatureCollection", features: [] },
    ...(promoteId ? { promoteId } : {}),
  };
}
