/**
 * The colours of camera coverage wherever a map shows it (the cameras page, the leader's map): a grid's share of
 * road length seen, in five classes from red to green, grey where the grid has no road to cover.
 */
export const SHARE_BINS = [
  { key: "s0", min: 0, color: "#d73027" },
  { key: "s1", min: 0.2, color: "#fc8d59" },
  { key: "s2", min: 0.4, color: "#fee08b" },
  { key: "s3", min: 0.6, color: "#91cf60" },
  { key: "s4", min: 0.8, color: "#1a9850" },
] as const;
export const NO_ROADS_COLOR = "#c8c8c8";

/** The class of a share for the grid colours; "none" when the grid has no road to cover. */
export function shareBin(share: number | null): string {
  if (share === null) return "none";
  return [...SHARE_BINS].reverse().find((b) => share >= b.min)?.key ?? "s0";
}

/** A MapLibre colour expression over a feature's `bin` property. */
export function shareBinColor(): unknown[] {
  return ["match", ["get", "bin"], ...SHARE_BINS.flatMap((b) => [b.key, b.color]), NO_ROADS_COLOR];
}
