import { pointOnFeature } from "@turf/turf";

/**
 * One label point per feature, inside it (its centroid when that falls inside, another inner point otherwise),
 * carrying the properties `keep` picks. A polygon labelled by MapLibre itself gets a label in every tile it crosses.
 */
export function labelPoints<P extends GeoJSON.GeoJsonProperties, Q extends GeoJSON.GeoJsonProperties>(
  collection: GeoJSON.FeatureCollection<GeoJSON.Geometry, P>,
  keep: (properties: P) => Q,
): GeoJSON.FeatureCollection<GeoJSON.Point, Q> {
  return {
    type: "FeatureCollection",
    features: collection.features.map((f) => ({
      type: "Feature",
      geometry: pointOnFeature(f).geometry,
      properties: keep(f.properties),
    })),
  };
}
