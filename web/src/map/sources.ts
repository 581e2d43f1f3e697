import type { GeoJSONSourceSpecification, VectorSourceSpecification } from "maplibre-gl";

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
 *
 * Typed as the GeoJSON specification the screens' props still declare for their base-map sources; `AtlasMap`
 * tells the two kinds apart at run time (its `setData` leaves tile sources alone), so a screen may keep handing
 * in fetched GeoJSON for a source that now draws from tiles.
 */
export function tileSource(layer: string, promoteId?: string): GeoJSONSourceSpecification {
  const origin = typeof location === "undefined" ? "" : location.origin;
  const spec: VectorSourceSpecification = {
    type: "vector",
    url: `${origin}/tiles/${layer}/tile.json`,
    ...(promoteId ? { promoteId } : {}),
  };
  return spec as unknown as GeoJSONSourceSpecification;
}

/** The tile layer behind a vector source made by `tileSource`, or null. */
export function tileLayerOf(spec: { type: string; url?: string }): string | null {
  if (spec.type !== "vector" || !spec.url) return null;
  return /\/tiles\/([a-z]+)\/tile\.json$/.exec(spec.url)?.[1] ?? null;
}
