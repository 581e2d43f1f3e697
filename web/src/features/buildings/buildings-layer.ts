import type { LayerSpecification } from "maplibre-gl";
import type { Lang } from "../../i18n/lang.ts";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { tileSource } from "../../map/sources.ts";

/** Buildings are drawn, and fetched for the visible area, only from this zoom on: below it they are specks. */
export const BUILDINGS_MIN_ZOOM = 15;

/** Buildings come as vector tiles; the tile layer has them from zoom 14. */
export const buildingsSource = tileSource("buildings", "id");

/** Building names (their numbers, "3号楼") are written from this zoom on, entrance numbers one zoom closer. */
export const BUILDING_LABELS_MIN_ZOOM = 17;
export const ENTRANCE_LABELS_MIN_ZOOM = 18;

const HALO = { "text-halo-color": "rgba(255,255,255,0.9)", "text-halo-width": 1.4 } as const;

export function buildingsLayers({ lang }: { lang: Lang }): LayerSpecification[] {
  return [
    {
      id: "buildings-fill",
      type: "fill",
      source: "buildings",
      "source-layer": "buildings",
      minzoom: BUILDINGS_MIN_ZOOM,
      paint: {
        "fill-color": ["match", ["get", "kind"], "shop", "#d8c3b0", "public", "#c9cfd8", "#d6cfc6"],
        "fill-opacity": ["interpolate", ["linear"], ["zoom"], BUILDINGS_MIN_ZOOM, 0, BUILDINGS_MIN_ZOOM + 0.5, 1],
      },
    },
    {
      id: "buildings-line",
      type: "line",
      source: "buildings",
      "source-layer": "buildings",
      minzoom: BUILDINGS_MIN_ZOOM,
      paint: { "line-color": "#a59b8f", "line-width": 0.7 },
    },
    {
      id: "buildings-label",
      type: "symbol",
      source: "buildings",
      "source-layer": "buildings_label",
      minzoom: BUILDING_LABELS_MIN_ZOOM,
      layout: {
        "text-field": ["get", "name"],
        "text-font": LABEL_FONT,
        "text-size": ["interpolate", ["linear"], ["zoom"], BUILDING_LABELS_MIN_ZOOM, 11, 19, 14],
        "text-max-width": 6,
      },
      paint: { "text-color": "#3d3630", ...HALO },
    },
    {
      id: "entrances-point",
      type: "circle",
      source: "buildings",
      "source-layer": "entrances",
      minzoom: ENTRANCE_LABELS_MIN_ZOOM,
      paint: { "circle-radius": 3, "circle-color": "#7a5c3a", "circle-stroke-color": "#fff", "circle-stroke-width": 1 },
    },
    {
      id: "entrances-label",
      type: "symbol",
      source: "buildings",
      "source-layer": "entrances",
      minzoom: ENTRANCE_LABELS_MIN_ZOOM,
      layout: {
        // 单元 numbers as the stairwell doors are signed: "2单元"; in English "Ent. 2".
        "text-field":
          lang === "zh"
            ? ["concat", ["to-string", ["get", "seq"]], "单元"]
            : ["concat", "Ent. ", ["to-string", ["get", "seq"]]],
        "text-font": LABEL_FONT,
        "text-size": 11,
        "text-offset": [0, 0.9],
        "text-anchor": "top",
      },
      paint: { "text-color": "#5e4528", ...HALO },
    },
  ];
}
