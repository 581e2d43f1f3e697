import alertTriangle from "@tabler/icons/outline/alert-triangle.svg?raw";
import arrowRight from "@tabler/icons/outline/arrow-right.svg?raw";
import babyCarriage from "@tabler/icons/outline/baby-carriage.svg?raw";
import basket from "@tabler/icons/outline/basket.svg?raw";
import bed from "@tabler/icons/outline/bed.svg?raw";
import books from "@tabler/icons/outline/books.svg?raw";
import check from "@tabler/icons/outline/check.svg?raw";
import checks from "@tabler/icons/outline/checks.svg?raw";
import deviceDesktop from "@tabler/icons/outline/device-desktop.svg?raw";
import leaf from "@tabler/icons/outline/leaf.svg?raw";
import mapPin from "@tabler/icons/outline/map-pin.svg?raw";
import moodKid from "@tabler/icons/outline/mood-kid.svg?raw";
import old from "@tabler/icons/outline/old.svg?raw";
import pill from "@tabler/icons/outline/pill.svg?raw";
import school from "@tabler/icons/outline/school.svg?raw";
import stethoscope from "@tabler/icons/outline/stethoscope.svg?raw";
import tool from "@tabler/icons/outline/tool.svg?raw";
import toolsKitchen from "@tabler/icons/outline/tools-kitchen-2.svg?raw";
import type { ExpressionSpecification, GeoJSONSourceSpecification, LayerSpecification } from "maplibre-gl";
import { shareBinColor } from "../../map/coverage-scale.ts";
import { LABEL_FONT } from "../../map/glyphs.ts";
import { geojsonSource } from "../../map/sources.ts";

/**
 * The leader map's point layers, and the grids coloured by camera coverage under them. The points' two Both sources hold what the server's cluster routes send: one feature per
 * screen cell, either a single venue or hazard (count 1, with its id, name and state) or a cluster (its count).
 * The browser so never holds more points than fit on the screen, whatever the size of the data.
 */
export const leaderMapSources: Record<string, GeoJSONSourceSpecification> = {
  venues: geojsonSource(),
  hazards: geojsonSource(),
  "coverage-grids": geojsonSource("code"),
};

/** Each venue category: its colour and its glyph (Tabler icons, MIT). */
export const VENUE_STYLE: Record<string, { color: string; glyph: string }> = {
  health_shop: { color: "#c2185b", glyph: leaf },
  youth_room: { color: "#ef8a17", glyph: moodKid },
  cultural_facility: { color: "#6a4c93", glyph: books },
  school: { color: "#1d3557", glyph: school },
  kindergarten: { color: "#e56b6f", glyph: babyCarriage },
  market: { color: "#4f772d", glyph: basket },
  pharmacy: { color: "#0f8b8d", glyph: pill },
  internet_cafe: { color: "#3a86ff", glyph: deviceDesktop },
  hotel: { color: "#8d6e63", glyph: bed },
  restaurant: { color: "#b08900", glyph: toolsKitchen },
  clinic: { color: "#0096c7", glyph: stethoscope },
  elderly_care: { color: "#6d597a", glyph: old },
};
const OTHER_VENUE = { color: "#5d6472", glyph: mapPin };

export const SEVERITY_COLORS: Record<string, string> = { high: "#d62828", medium: "#f77f00", low: "#e9b200" };

/** What a hazard's status looks like: a triangle while it is there, a green disc once it is fixed. */
const STATUS_GLYPH: Record<string, { shape: "triangle" | "disc"; glyph: string }> = {
  reported: { shape: "triangle", glyph: alertTriangle },
  assigned: { shape: "triangle", glyph: arrowRight },
  in_progress: { shape: "triangle", glyph: tool },
  resolved: { shape: "disc", glyph: check },
  verified: { shape: "disc", glyph: checks },
};

/** The inner drawing of a Tabler icon (24 × 24, stroked), without its invisible bounding square. */
function glyphBody(svg: string): string {
  const inner = svg.slice(svg.indexOf(">", svg.indexOf("<svg")) + 1, svg.lastIndexOf("</svg>"));
  return inner.replace(/<path stroke="none" d="M0 0h24v24H0z" fill="none"\s*\/>/, "").trim();
}

/** A glyph drawn white, scaled from 24 px into a `size` px square at (x, y). */
function glyph(svg: string, x: number, y: number, size: number, width = 2.2): string {
  const s = size / 24;
  return `<g transform="translate(${x} ${y}) scale(${s})" fill="none" stroke="#fff" stroke-width="${width / s}" stroke-linecap="round" stroke-linejoin="round">${glyphBody(svg)}</g>`;
}

const svgDoc = (w: number, h: number, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w * 2}" height="${h * 2}" viewBox="0 0 ${w} ${h}">${body}</svg>`;

function venueIcon(style: { color: string; glyph: string }): string {
  return svgDoc(
    28,
    28,
    `<circle cx="14" cy="14" r="12.5" fill="${style.color}" stroke="#fff" stroke-width="1.5"/>${glyph(style.glyph, 6.5, 6.5, 15, 1.9)}`,
  );
}

function hazardIcon(severity: string, status: string): string {
  const color = SEVERITY_COLORS[severity] ?? SEVERITY_COLORS.medium!;
  const look = STATUS_GLYPH[status] ?? STATUS_GLYPH.reported!;
  if (look.shape === "disc") {
    return svgDoc(
      28,
      28,
      `<circle cx="14" cy="14" r="11.5" fill="#2b9348" stroke="${color}" stroke-width="3"/>${glyph(look.glyph, 7, 7, 14, 2.4)}`,
    );
  }
  // The alert glyph is itself a triangle: inside ours it is drawn as its exclamation mark only.
  const inner =
    status === "reported"
      ? `<path d="M15 11v5" stroke="#fff" stroke-width="2.6" stroke-linecap="round"/><circle cx="15" cy="20.3" r="1.5" fill="#fff"/>`
      : glyph(look.glyph, 9.5, 11, 11, 2.2);
  return svgDoc(
    30,
    28,
    `<path d="M15 2.2 L28.2 25.6 H1.8 Z" fill="${color}" stroke="#fff" stroke-width="1.6" stroke-linejoin="round"/>${inner}`,
  );
}

/** Every image the layers use, as SVG text keyed by the name the layers refer to. */
export function leaderMapImages(): Record<string, string> {
  const images: Record<string, string> = { "venue-other": venueIcon(OTHER_VENUE) };
  for (const [code, style] of Object.entries(VENUE_STYLE)) images[`venue-${code}`] = venueIcon(style);
  for (const severity of Object.keys(SEVERITY_COLORS)) {
    for (const status of Object.keys(STATUS_GLYPH))
      images[`hazard-${severity}-${status}`] = hazardIcon(severity, status);
  }
  return images;
}

/** An icon of the legend: the same SVG as on the map, as an image URL. */
export function iconUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export const venueIconSvg = (category: string) => venueIcon(VENUE_STYLE[category] ?? OTHER_VENUE);
export const hazardIconSvg = (severity: string, status: string) => hazardIcon(severity, status);

const single: ExpressionSpecification = ["==", ["get", "count"], 1];
const many: ExpressionSpecification = [">", ["get", "count"], 1];
/** Single points carry their name from this zoom on. */
export const LABEL_MIN_ZOOM = 16;
const clusterRadius: ExpressionSpecification = ["step", ["get", "count"], 13, 10, 16, 50, 20, 200, 25, 1000, 30];
const halo = { "text-halo-color": "#ffffff", "text-halo-width": 1.4 } as const;

const venueIconName: ExpressionSpecification = [
  "case",
  ["in", ["get", "category"], ["literal", Object.keys(VENUE_STYLE)]],
  ["concat", "venue-", ["get", "category"]],
  "venue-other",
];

/**
 * The layers, bottom to top, for what is switched on: venues (clusters with a red ring when some inside are
 * overdue; single venues as their category's icon with a ring for their inspection status) and hazards (as a heat
 * map, or clusters coloured by the worst severity inside and single hazards as severity × status icons).
 */
export function leaderMapLayers(opts: {
  venues: boolean;
  hazards: boolean;
  heat: boolean;
  coverage: boolean;
}): LayerSpecification[] {
  const out: LayerSpecification[] = [];
  // Camera coverage colours the grids under everything else, translucent so the base map's streets show through.
  if (opts.coverage) {
    out.push(
      {
        id: "coverage-grids-fill",
        type: "fill",
        source: "coverage-grids",
        paint: { "fill-color": shareBinColor() as ExpressionSpecification, "fill-opacity": 0.45 },
      },
      {
        id: "coverage-grids-line",
        type: "line",
        source: "coverage-grids",
        paint: { "line-color": "#ffffff", "line-width": 0.8 },
      },
    );
  }
  // The heat map lies under the venues, so their icons stay readable over it.
  if (opts.hazards && opts.heat) {
    out.push({
      id: "hazards-heat",
      type: "heatmap",
      source: "hazards",
      paint: {
        // A cell stands for `count` hazards; high severity weighs double.
        "heatmap-weight": [
          "*",
          ["ln", ["+", 1, ["get", "count"]]],
          ["match", ["get", "severity"], "high", 1.6, "medium", 1, 0.7],
        ],
        "heatmap-intensity": ["interpolate", ["linear"], ["zoom"], 12, 0.8, 17, 1.6],
        "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 12, 24, 16, 40, 19, 60],
        "heatmap-opacity": 0.8,
        "heatmap-color": [
          "interpolate",
          ["linear"],
          ["heatmap-density"],
          0,
          "rgba(255,255,178,0)",
          0.2,
          "#fed976",
          0.4,
          "#feb24c",
          0.6,
          "#fd8d3c",
          0.8,
          "#f03b20",
          1,
          "#bd0026",
        ],
      },
    });
  }
  if (opts.venues) {
    out.push(
      {
        id: "venues-cluster",
        type: "circle",
        source: "venues",
        filter: many,
        paint: {
          "circle-radius": clusterRadius,
          "circle-color": "#44506a",
          "circle-opacity": 0.88,
          "circle-stroke-width": ["case", [">", ["get", "overdue"], 0], 3, 1.5],
          "circle-stroke-color": ["case", [">", ["get", "overdue"], 0], "#d62828", "#ffffff"],
        },
      },
      {
        id: "venues-cluster-count",
        type: "symbol",
        source: "venues",
        filter: many,
        layout: {
          "text-field": ["to-string", ["get", "count"]],
          "text-font": LABEL_FONT,
          "text-size": 12,
          "text-allow-overlap": true,
        },
        paint: { "text-color": "#ffffff" },
      },
      {
        id: "venues-ring",
        type: "circle",
        source: "venues",
        filter: ["all", single, ["in", ["get", "status"], ["literal", ["overdue", "never", "due"]]]],
        paint: {
          "circle-radius": 16,
          "circle-color": "rgba(0,0,0,0)",
          "circle-stroke-width": 3,
          "circle-stroke-color": ["match", ["get", "status"], "due", "#f4a100", "#d62828"],
        },
      },
      {
        id: "venues-selected",
        type: "circle",
        source: "venues",
        filter: single,
        paint: {
          "circle-radius": 19,
          "circle-color": "rgba(0,0,0,0)",
          "circle-stroke-width": ["case", ["boolean", ["feature-state", "selected"], false], 3, 0],
          "circle-stroke-color": "#3b2f55",
        },
      },
      {
        id: "venues-icon",
        type: "symbol",
        source: "venues",
        filter: single,
        layout: { "icon-image": venueIconName, "icon-size": 1, "icon-allow-overlap": true },
      },
      {
        id: "venues-label",
        type: "symbol",
        source: "venues",
        filter: single,
        minzoom: LABEL_MIN_ZOOM,
        layout: {
          "text-field": ["get", "label"],
          "text-font": LABEL_FONT,
          "text-size": 12,
          "text-offset": [0, 1.5],
          "text-anchor": "top",
          "text-max-width": 9,
          "text-optional": true,
        },
        paint: { "text-color": "#1f2430", ...halo },
      },
    );
  }
  if (opts.hazards && !opts.heat) {
    out.push(
      {
        id: "hazards-cluster",
        type: "circle",
        source: "hazards",
        filter: many,
        paint: {
          "circle-radius": clusterRadius,
          "circle-color": ["match", ["get", "severity"], "high", "#d62828", "medium", "#f77f00", "#e9b200"],
          "circle-opacity": ["case", [">", ["get", "open"], 0], 0.9, 0.45],
          "circle-stroke-width": 1.5,
          "circle-stroke-color": "#ffffff",
        },
      },
      {
        id: "hazards-cluster-count",
        type: "symbol",
        source: "hazards",
        filter: many,
        layout: {
          "text-field": ["to-string", ["get", "count"]],
          "text-font": LABEL_FONT,
          "text-size": 12,
          "text-allow-overlap": true,
        },
        paint: { "text-color": "#ffffff", "text-halo-color": "rgba(0,0,0,0.35)", "text-halo-width": 1 },
      },
      {
        id: "hazards-selected",
        type: "circle",
        source: "hazards",
        filter: single,
        paint: {
          "circle-radius": 19,
          "circle-color": "rgba(0,0,0,0)",
          "circle-stroke-width": ["case", ["boolean", ["feature-state", "selected"], false], 3, 0],
          "circle-stroke-color": "#3b2f55",
        },
      },
      {
        id: "hazards-icon",
        type: "symbol",
        source: "hazards",
        filter: single,
        layout: {
          "icon-image": ["concat", "hazard-", ["get", "severity"], "-", ["get", "status"]],
          "icon-allow-overlap": true,
          // Hazards that are still there sit above fixed ones.
          "symbol-sort-key": ["match", ["get", "status"], "resolved", 2, "verified", 2, 1],
        },
      },
      {
        id: "hazards-label",
        type: "symbol",
        source: "hazards",
        filter: single,
        minzoom: LABEL_MIN_ZOOM,
        layout: {
          "text-field": ["get", "label"],
          "text-font": LABEL_FONT,
          "text-size": 12,
          "text-offset": [0, 1.5],
          "text-anchor": "top",
          "text-max-width": 10,
          "text-optional": true,
        },
        paint: { "text-color": "#7a1010", ...halo },
      },
    );
  }
  return out;
}

/** The layers a click picks from: single points first, then clusters. */
export const PICK_LAYERS = ["hazards-icon", "venues-icon", "hazards-cluster", "venues-cluster"];
