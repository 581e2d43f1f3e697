import type { ExpressionSpecification, LayerSpecification } from "maplibre-gl";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { geojsonSource } from "../../map/sources.ts";
import type { Bin } from "./metrics.ts";

/** The workspace's own sources: its grids (coloured by the chosen metric), and the chosen grid's places. */
export const WORKSPACE_SOURCES = {
  "workspace-grids": geojsonSource("code"),
  "workspace-labels": geojsonSource("code"),
  "workspace-buildings": geojsonSource(),
  "workspace-entrances": geojsonSource("id"),
  "workspace-venues": geojsonSource("id"),
  "workspace-hazards": geojsonSource("id"),
};

export const WORKSPACE_CLICKABLE = ["workspace-grids-fill"];

/** Severity colours of open hazards, and the two states of an entrance (visited in 30 days or not). */
export const SEVERITY_COLORS = { high: "#a50026", medium: "#f46d43", low: "#fdae61" };
export const ENTRANCE_COLORS = { stale: "#d55e00", visited: "#009e73" };

/** Layers over the base map, bottom to top. Grid features carry `bin` (the metric's class) and `gap` (team). */
export function workspaceLayers(bins: Bin[], opts: { showGaps: boolean }): LayerSpecification[] {
  const color = [
    "match",
    ["get", "bin"],
    ...bins.flatMap((b) => [b.key, b.color]),
    "#c8c8c8",
  ] as unknown as ExpressionSpecification;
  const selected: ExpressionSpecification = ["boolean", ["feature-state", "selected"], false];
  const hovered: ExpressionSpecification = ["boolean", ["feature-state", "hover"], false];
  return [
    {
      id: "workspace-grids-fill",
      type: "fill",
      source: "workspace-grids",
      paint: {
        "fill-color": color,
        // Zoom must lead the expression; selection and hover are decided at each stop.
        "fill-opacity": [
          "interpolate",
          ["linear"],
          ["zoom"],
          13,
          ["case", selected, 0.25, hovered, 0.75, 0.62],
          16,
          ["case", selected, 0.15, hovered, 0.5, 0.35],
        ],
      },
    },
    {
      id: "workspace-buildings-fill",
      type: "fill",
      source: "workspace-buildings",
      paint: { "fill-color": "#8a8478", "fill-opacity": 0.45 },
    },
    {
      id: "workspace-grids-line",
      type: "line",
      source: "workspace-grids",
      paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 0.6, 16, 1.6] },
    },
    // Grids without a grid leader or a grid worker: a dashed dark ring, on top of whatever the metric says.
    {
      id: "workspace-grids-gap",
      type: "line",
      source: "workspace-grids",
      filter: opts.showGaps ? ["==", ["get", "gap"], true] : ["==", ["get", "gap"], "never"],
      paint: { "line-color": "#1f2430", "line-width": 2.2, "line-dasharray": [2, 1.5] },
    },
    {
      id: "workspace-grids-selected",
      type: "line",
      source: "workspace-grids",
      filter: ["==", ["get", "code"], ""],
      paint: { "line-color": "#3b2f55", "line-width": 3.5 },
    },
    {
      id: "workspace-entrances",
      type: "circle",
      source: "workspace-entrances",
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 3, 18, 7],
        "circle-color": ["case", ["get", "stale"], ENTRANCE_COLORS.stale, ENTRANCE_COLORS.visited],
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 1,
      },
    },
    {
      id: "workspace-venues",
      type: "circle",
      source: "workspace-venues",
      paint: {
        "circle-radius": 6,
        "circle-color": "#ffffff",
        "circle-stroke-color": ["case", ["get", "overdue"], "#d55e00", "#3b2f55"],
        "circle-stroke-width": 2.5,
      },
    },
    {
      id: "workspace-hazards",
      type: "circle",
      source: "workspace-hazards",
      paint: {
        "circle-radius": 7,
        "circle-color": [
          "match",
          ["get", "severity"],
          "high",
          SEVERITY_COLORS.high,
          "medium",
          SEVERITY_COLORS.medium,
          SEVERITY_COLORS.low,
        ],
        "circle-stroke-color": "#1f2430",
        "circle-stroke-width": 1.5,
      },
    },
    {
      id: "workspace-labels",
      type: "symbol",
      source: "workspace-labels",
      layout: {
        "text-field": ["get", "label"],
        "text-font": LABEL_FONT,
        "text-size": ["interpolate", ["linear"], ["zoom"], 13, 10, 16, 13],
        "text-allow-overlap": false,
      },
      paint: { "text-color": "#1f2430", "text-halo-color": "rgba(255,255,255,0.9)", "text-halo-width": 1.4 },
    },
  ];
}

/** The selected grid's outline, as a filter on the grids' outline layer. */
export function withSelection(layers: LayerSpecification[], code: string | null): LayerSpecification[] {
  return layers.map((l) =>
    l.id === "workspace-grids-selected" && l.type === "line"
      ? { ...l, filter: ["==", ["get", "code"], code ?? ""] }
      : l,
  );
}
