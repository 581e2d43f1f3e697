import type { ExpressionSpecification, GeoJSONSourceSpecification, LayerSpecification } from "maplibre-gl";
import { shareBinColor } from "../../map/coverage-scale.ts";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { geojsonSource } from "../../map/sources.ts";

/** The cameras page's own sources, filled with what the coverage and cameras APIs send. */
export const CAMERAS_SOURCES: Record<string, GeoJSONSourceSpecification> = {
  "cameras-grids": geojsonSource("code"),
  "cameras-views": geojsonSource("id"),
  "cameras-blind-spots": geojsonSource("key"),
  "cameras-suggestions": geojsonSource("rank"),
  "cameras-handle": geojsonSource(),
  cameras: geojsonSource("id"),
};

/** What can be clicked, top first. */
export const CAMERAS_CLICKABLE = [
  "cameras-symbol",
  "cameras-suggestions-dot",
  "cameras-blind-spots-line",
  "cameras-grids-fill",
];

export const STATUS_COLORS: Record<string, string> = { online: "#2b9348", offline: "#7a7f87", planned: "#3a6ff7" };

const svgDoc = (w: number, h: number, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w * 2}" height="${h * 2}" viewBox="0 0 ${w} ${h}">${body}</svg>`;

/**
 * The camera symbols, drawn pointing north and rotated on the map by the camera's bearing: a wedge with an arrow
 * for cameras that look one way (fixed, half-dome), a disc for domes, a disc with a pointer for PTZ cameras
 * (which count their full sweep but point somewhere). Planned cameras are drawn hollow.
 */
export function cameraIcon(shape: "wedge" | "dome" | "ptz", status: string): string {
  const color = STATUS_COLORS[status] ?? STATUS_COLORS.offline!;
  const fill = status === "planned" ? "#ffffff" : color;
  const ink = status === "planned" ? color : "#ffffff";
  const dash = status === "planned" ? ' stroke-dasharray="3 1.6"' : "";
  if (shape === "wedge") {
    return svgDoc(
      28,
      28,
      `<path d="M14 3 L24 22 Q14 27 4 22 Z" fill="${fill}" stroke="${status === "planned" ? color : "#fff"}" stroke-width="1.8" stroke-linejoin="round"${dash}/><path d="M14 20 V9 M10 13 L14 8.5 L18 13" fill="none" stroke="${ink}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>`,
    );
  }
  const pointer =
    shape === "ptz"
      ? `<path d="M14 4 L18 10 H10 Z" fill="${ink}"/>`
      : `<circle cx="14" cy="14" r="3.2" fill="${ink}"/>`;
  return svgDoc(
    28,
    28,
    `<circle cx="14" cy="14" r="10" fill="${fill}" stroke="${status === "planned" ? color : "#fff"}" stroke-width="1.8"${dash}/>${pointer}`,
  );
}

export const shapeOf = (type: string) => (type === "dome" ? "dome" : type === "ptz" ? "ptz" : "wedge");

/** Every symbol the layers use, keyed by the name a camera feature's `icon` property holds. */
export function cameraImages(): Record<string, string> {
  const images: Record<string, string> = {};
  for (const shape of ["wedge", "dome", "ptz"] as const) {
    for (const status of Object.keys(STATUS_COLORS)) images[`camera-${shape}-${status}`] = cameraIcon(shape, status);
  }
  return images;
}

const byStatus = (alpha: string): ExpressionSpecification => [
  "match",
  ["get", "status"],
  "online",
  `${STATUS_COLORS.online}${alpha}`,
  "planned",
  `${STATUS_COLORS.planned}${alpha}`,
  `${STATUS_COLORS.offline}${alpha}`,
];

/** The page's layers over the base map, bottom to top; `show` switches views, blind spots and cameras off. */
export function camerasLayers(show: { views: boolean; blindSpots: boolean; cameras: boolean }): LayerSpecification[] {
  const visible = (on: boolean) => ({ visibility: on ? ("visible" as const) : ("none" as const) });
  const gridColor = shareBinColor() as ExpressionSpecification;
  return [
    {
      id: "cameras-grids-fill",
      type: "fill",
      source: "cameras-grids",
      paint: {
        "fill-color": gridColor,
        "fill-opacity": ["interpolate", ["linear"], ["zoom"], 13, 0.5, 17, 0.22],
      },
    },
    {
      id: "cameras-grids-line",
      type: "line",
      source: "cameras-grids",
      paint: {
        "line-color": ["case", ["boolean", ["feature-state", "selected"], false], "#3b2f55", "#ffffff"],
        "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 3.5, 1.2],
      },
    },
    {
      id: "cameras-views-fill",
      type: "fill",
      source: "cameras-views",
      layout: visible(show.views),
      paint: { "fill-color": byStatus(""), "fill-opacity": ["case", ["get", "preview"], 0.12, 0.26] },
    },
    {
      id: "cameras-views-line",
      type: "line",
      source: "cameras-views",
      layout: visible(show.views),
      paint: {
        "line-color": byStatus(""),
        "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 2.4, 0.8],
        "line-opacity": 0.8,
      },
    },
    {
      id: "cameras-blind-spots-line",
      type: "line",
      source: "cameras-blind-spots",
      layout: { ...visible(show.blindSpots), "line-cap": "round" },
      paint: {
        "line-color": "#e00000",
        "line-width": [
          "case",
          ["boolean", ["feature-state", "selected"], false],
          8,
          ["match", ["get", "class"], "arterial", 5, "secondary", 4, 3],
        ],
        "line-opacity": 0.85,
      },
    },
    {
      id: "cameras-suggestions-view",
      type: "fill",
      source: "cameras-suggestions",
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": "#7b2cbf", "fill-opacity": 0.18, "fill-outline-color": "#7b2cbf" },
    },
    {
      id: "cameras-suggestions-dot",
      type: "circle",
      source: "cameras-suggestions",
      filter: ["==", ["geometry-type"], "Point"],
      paint: {
        "circle-radius": 11,
        "circle-color": "#7b2cbf",
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 2,
      },
    },
    {
      id: "cameras-suggestions-label",
      type: "symbol",
      source: "cameras-suggestions",
      filter: ["==", ["geometry-type"], "Point"],
      layout: {
        "text-field": ["to-string", ["get", "rank"]],
        "text-font": LABEL_FONT,
        "text-size": 13,
        "text-allow-overlap": true,
        "text-ignore-placement": true,
      },
      paint: { "text-color": "#ffffff" },
    },
    {
      id: "cameras-symbol",
      type: "symbol",
      source: "cameras",
      layout: {
        ...visible(show.cameras),
        "icon-image": ["get", "icon"],
        "icon-rotate": ["get", "bearing_deg"],
        "icon-rotation-alignment": "map",
        "icon-allow-overlap": true,
        "icon-ignore-placement": true,
        "icon-size": ["interpolate", ["linear"], ["zoom"], 13, 0.6, 17, 1],
      },
    },
    {
      id: "cameras-selected",
      type: "circle",
      source: "cameras",
      filter: ["==", ["get", "id"], -1],
      paint: {
        "circle-radius": 17,
        "circle-color": "rgba(0,0,0,0)",
        "circle-stroke-color": "#3b2f55",
        "circle-stroke-width": 2.5,
      },
    },
    {
      id: "cameras-handle-line",
      type: "line",
      source: "cameras-handle",
      paint: { "line-color": "#3b2f55", "line-width": 2, "line-dasharray": [2, 1.5] },
    },
    {
      id: "cameras-handle-point",
      type: "circle",
      source: "cameras-handle",
      filter: ["==", ["geometry-type"], "Point"],
      paint: {
        "circle-radius": 8,
        "circle-color": "#ffffff",
        "circle-stroke-color": "#3b2f55",
        "circle-stroke-width": 3,
      },
    },
  ];
}

/** The selected camera's ring, as a filter on its layer. */
export function withSelectedCamera(layers: LayerSpecification[], id: number | null): LayerSpecification[] {
  return layers.map((l) =>
    l.id === "cameras-selected" && l.type === "circle" ? { ...l, filter: ["==", ["get", "id"], id ?? -1] } : l,
  );
}
