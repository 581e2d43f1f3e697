import type { ExpressionSpecification, LayerSpecification } from "maplibre-gl";
import type { Lang } from "../../i18n/lang.ts";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { MAP_COLORS } from "../../map/palette.ts";
import { tileSource } from "../../map/sources.ts";

/** Community outlines as vector tiles (simplified below zoom 13), with one label point each (`communities_label`). */
export const communitiesSource = tileSource("communities", "code");

/** Community boundaries over the grids; with a `focus`, the other communities are shaded. */
export function communitiesLayers({ lang, focus }: { lang: Lang; focus: string | null }): LayerSpecification[] {
  const name: ExpressionSpecification =
    lang === "en" ? ["coalesce", ["get", "name_en"], ["get", "name"]] : ["get", "name"];
  return [
    {
      id: "communities-dim",
      type: "fill",
      source: "communities",
      "source-layer": "communities",
      filter: ["!=", ["get", "code"], focus ?? ""],
      layout: { visibility: focus ? "visible" : "none" },
      paint: { "fill-color": "#4a4a52", "fill-opacity": 0.35 },
    },
    {
      id: "communities-casing",
      type: "line",
      source: "communities",
      "source-layer": "communities",
      layout: { "line-join": "round" },
      paint: {
        "line-color": MAP_COLORS.communityCasing,
        "line-width": ["interpolate", ["linear"], ["zoom"], 12, 3.5, 16, 7],
        "line-opacity": 0.85,
      },
    },
    {
      id: "communities-line",
      type: "line",
      source: "communities",
      "source-layer": "communities",
      layout: { "line-join": "round" },
      paint: {
        "line-color": MAP_COLORS.communityLine,
        "line-width": ["interpolate", ["linear"], ["zoom"], 12, 1.5, 16, 3],
      },
    },
    {
      id: "communities-label",
      type: "symbol",
      source: "communities",
      "source-layer": "communities_label",
      maxzoom: 16.5,
      layout: {
        "text-field": name,
        "text-font": LABEL_FONT,
        "text-size": ["interpolate", ["linear"], ["zoom"], 12, 13, 16, 18],
        "text-max-width": 7,
        "text-allow-overlap": false,
        "symbol-sort-key": 0,
      },
      paint: {
        "text-color": MAP_COLORS.communityLabel,
        "text-halo-color": "rgba(255,255,255,0.95)",
        "text-halo-width": 2,
        "text-opacity": focus ? ["case", ["==", ["get", "code"], focus], 1, 0.55] : 1,
      },
    },
  ];
}
