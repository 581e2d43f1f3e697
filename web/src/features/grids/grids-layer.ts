import type { ExpressionSpecification, FilterSpecification, LayerSpecification } from "maplibre-gl";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { GRID_FILL_OPACITY, MAP_COLORS, STATUS_COLORS } from "../../map/palette.ts";
import { tileSource } from "../../map/sources.ts";

export { type GridStatus, STATUS_COLORS, STATUS_SYMBOLS } from "../../map/palette.ts";

/**
 * Grids of the published plan as vector tiles, addressed by their code so selection and hover can use
 * feature-state. The tiles hold the grids (`grids`) and one label point per grid (`grids_label`) from zoom 12,
 * and below it one feature per community with its grids' totals (`grid_communities`).
 */
export const gridsSource = tileSource("grids", "code");

/** Below this zoom the grids are drawn per community (a grid is a few pixels there). */
export const GRIDS_MIN_ZOOM = 12;

/**
 * Layers of the grids; `focus` is the community the user filtered to, whose grids stay bright; `title` is how a
 * grid is called where there is room ("第 {seq} 网格", from the page's dictionary), never its 15-digit code.
 */
export function gridsLayers({
  focus,
  title = "{seq}",
}: {
  focus: string | null;
  title?: string;
}): LayerSpecification[] {
  const outOfFocus: ExpressionSpecification = focus ? ["!=", ["get", "community_code"], focus] : ["literal", false];
  const hovered: ExpressionSpecification = ["boolean", ["feature-state", "hover"], false];
  const selected: ExpressionSpecification = ["boolean", ["feature-state", "selected"], false];
  const fillOpacity = (base: number): ExpressionSpecification => [
    "case",
    outOfFocus,
    0.05,
    selected,
    base + 0.2,
    hovered,
    base + 0.12,
    base,
  ];
  const seq: ExpressionSpecification = ["slice", ["get", "code"], 12];
  const [before = "", after = ""] = title.split("{seq}");
  const titled: ExpressionSpecification = ["concat", before, seq, after];
  const labelFilter: FilterSpecification = focus ? ["==", ["get", "community_code"], focus] : ["has", "code"];
  return [
    {
      // Zoomed out over a city: each community in the colour most of its grids have.
      id: "grids-overview",
      type: "fill",
      source: "grids",
      "source-layer": "grid_communities",
      maxzoom: GRIDS_MIN_ZOOM,
      paint: {
        "fill-color": [
          "case",
          [">=", ["get", "grids_ok"], ["max", ["get", "grids_under"], ["get", "grids_over"]]],
          STATUS_COLORS.ok,
          [">=", ["get", "grids_over"], ["get", "grids_under"]],
          STATUS_COLORS.over,
          STATUS_COLORS.under,
        ],
        "fill-opacity": 0.45,
        "fill-outline-color": "#ffffff",
      },
    },
    {
      id: "grids-fill",
      type: "fill",
      source: "grids",
      "source-layer": "grids",
      minzoom: GRIDS_MIN_ZOOM,
      paint: {
        "fill-color": [
          "match",
          ["get", "status"],
          "under",
          STATUS_COLORS.under,
          "over",
          STATUS_COLORS.over,
          STATUS_COLORS.ok,
        ],
        // Lighter at high zoom so the buildings under a grid stay readable.
        "fill-opacity": [
          "interpolate",
          ["linear"],
          ["zoom"],
          13,
          fillOpacity(GRID_FILL_OPACITY),
          16,
          fillOpacity(0.28),
        ],
      },
    },
    {
      id: "grids-line",
      type: "line",
      source: "grids",
      "source-layer": "grids",
      minzoom: GRIDS_MIN_ZOOM,
      layout: { "line-join": "round" },
      paint: {
        "line-color": MAP_COLORS.gridLine,
        "line-width": ["interpolate", ["linear"], ["zoom"], 12, 0.5, 16, 1.4],
        "line-opacity": ["case", outOfFocus, 0.35, 0.9],
      },
    },
    {
      // Drawn above the community boundaries, so a selected grid's outline is whole where it meets them.
      id: "grids-highlight",
      type: "line",
      source: "grids",
      "source-layer": "grids",
      minzoom: GRIDS_MIN_ZOOM,
      layout: { "line-join": "round" },
      paint: {
        "line-color": ["case", selected, "#111111", "#333333"],
        "line-width": [
          "interpolate",
          ["linear"],
          ["zoom"],
          12,
          ["case", selected, 2.5, 1.5],
          16,
          ["case", selected, 4, 2.5],
        ],
        "line-opacity": ["case", selected, 1, hovered, 0.8, 0],
      },
    },
    {
      id: "grids-label",
      type: "symbol",
      source: "grids",
      "source-layer": "grids_label",
      minzoom: 12.5,
      filter: labelFilter,
      layout: {
        // The sequence (last 3 digits) identifies a grid within its community; its title once there is room.
        "text-field": ["step", ["zoom"], seq, 16.5, titled],
        "text-font": LABEL_FONT,
        "text-size": ["interpolate", ["linear"], ["zoom"], 12.5, 10, 15, 12, 18, 14],
        "text-padding": 1,
      },
      paint: { "text-color": MAP_COLORS.gridLabel, "text-halo-color": "rgba(255,255,255,0.9)", "text-halo-width": 1.4 },
    },
  ];
}
