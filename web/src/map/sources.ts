import type { GeoJSONSourceSpecification, SourceSpecification, VectorSourceSpecification } from "maplibre-gl";

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

/**
 * A vector tile source of the server's /tiles/<layer> (issue 10): MapLibre reads the layer's TileJSON, whose tile
 * URL carries the layer's current version, so tiles are cached for good and `AtlasMap` switches to new URLs when
 * a version changes. Layers drawing from it name their `source-layer`.
 */
export function tileSource(layer: string, promoteId?: string): VectorSourceSpecification {
  const origin = typeof location === "undefined" ? "" : location.origin;
  return { type: "vector", url: `${origin}/tiles/${layer}/tile.json`, ...(promoteId ? { promoteId } : {}) };
}

/** The tile layer behind a vector source made by `tileSource`, or null. */
export function tileLayerOf(spec: SourceSpecification): string | null {
  if (spec.type !== "vector" || !spec.url) return null;
  return /\/tiles\/([a-z]+)\/tile\.json$/.exec(spec.url)?.[1] ?? null;
}
