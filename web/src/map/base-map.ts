import type { LayerSpecification, SourceSpecification } from "maplibre-gl";
import type { BBox } from "./geo.ts";

/** A community as the base map carries it: its code, names and household band, and its outline (a page frames it). */
export type BaseCommunity = GeoJSON.Feature<
  GeoJSON.Geometry,
  { code: string; name: string; name_en: string | null; band_min: number; band_max: number }
>;

/**
 * The subdistrict's base map as the app composes it for a page: what MapView needs to draw the land, water,
 * roads, outlines and names under the page's own layers, which go on top (or between, in the page's draw order).
 */
export type BaseMap = {
  /** The extent shown first: the subdistrict. */
  bbox: BBox;
  /** Only the sources the layers draw from: vector tiles of /tiles, and GeoJSON ones filled from `data`. */
  sources: Record<string, SourceSpecification>;
  /** In drawing order, bottom to top. */
  layers: LayerSpecification[];
  /** Features of the GeoJSON sources (label points). */
  data: Record<string, GeoJSON.GeoJSON | undefined>;
  /** MapLibre's own UI strings in the user's language. */
  locale: Record<string, string>;
  attribution: string;
  /** The communities the account may read. */
  communities: BaseCommunity[];
};

/** `layers` that `order` names, in its order (bottom to top); the others are left out. */
export function inDrawOrder(layers: LayerSpecification[], order: readonly string[]): LayerSpecification[] {
  return layers.filter((l) => order.includes(l.id)).sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

/** The sources of `all` that some of `layers` draw from. */
export function sourcesOf(
  all: Record<string, SourceSpecification>,
  layers: readonly LayerSpecification[],
): Record<string, SourceSpecification> {
  const used = new Set(layers.map((l) => ("source" in l ? l.source : undefined)));
  return Object.fromEntries(Object.entries(all).filter(([id]) => used.has(id)));
}
