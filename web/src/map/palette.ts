/**
 * The colours of the map, as plain values: the screen's MapLibre layers and the printed map (drawn as SVG on the
 * server, features/exports/exports.print.ts) both read them, so paper shows what the screen shows.
 */

/** Where a grid's households stand against its community's band (default 200–300). */
export type GridStatus = "under" | "ok" | "over";

/**
 * Okabe–Ito colours, distinct under the common colour-vision deficiencies: sky blue for too few households,
 * bluish green within the band, vermilion for too many. The lightness differs too, so grey print still separates them.
 */
export const STATUS_COLORS: Record<GridStatus, string> = { under: "#56b4e9", ok: "#009e73", over: "#d55e00" };

/** Symbols that say the status without colour: ▼ too few, ✓ within the band, ▲ too many. */
export const STATUS_SYMBOLS: Record<GridStatus, string> = { under: "▼", ok: "✓", over: "▲" };

/** Opacity of a grid's fill at a district's zoom (13); lighter closer in, so buildings under it stay readable. */
export const GRID_FILL_OPACITY = 0.5;

export const MAP_COLORS = {
  /** Behind everything, where no block is. */
  background: "#e4e2dc",
  /** A block of land (water blocks take `water`). */
  land: "#f5f2ea",
  water: "#a9cde0",
  gridLine: "#ffffff",
  gridLabel: "#17232b",
  communityCasing: "#ffffff",
  communityLine: "#3b2f55",
  communityLabel: "#2b2140",
  roadCasing: "#c9c1b1",
  road: "#ffffff",
  arterialRoad: "#fbe3a6",
  roadLabel: "#5b5346",
} as const;
