import type { Rng } from "./random.ts";
import type { Rect, Style } from "./territory.ts";
import type { BuildingKind } from "./types.ts";

export type Archetype = "slab" | "tower" | "mixed" | "old";

/** How often each archetype is drawn for a plot in a community of each style. */
export const STYLE_MIX: Record<Style, readonly (readonly [Archetype, number])[]> = {
  slab: [
    ["slab", 0.62],
    ["mixed", 0.25],
    ["tower", 0.08],
    ["old", 0.05],
  ],
  tower: [
    ["tower", 0.55],
    ["mixed", 0.3],
    ["slab", 0.15],
  ],
  mixed: [
    ["slab", 0.35],
    ["mixed", 0.35],
    ["tower", 0.25],
    ["old", 0.05],
  ],
  old: [
    ["old", 0.5],
    ["slab", 0.4],
    ["mixed", 0.1],
  ],
};

/** A building not yet placed: footprint and households per entrance, in layout order (south to north). */
export interface Candidate {
  kind: BuildingKind;
  rect: Rect;
  axis: "ew" | "ns";
  floors: number;
  perFloor: number;
  households: number[];
}

/** Rows of six-storey slabs (13 m per entrance, 12 households per entrance), 24–30 m apart for sunlight. */
export function slabs(r: Rect, rng: Rng): Candidate[] {
  const out: Candidate[] = [];
  for (let y = r.y0; y + 12 <= r.y1; y += 12 + rng.range(24, 30)) {
    let x = r.x0;
    for (;;) {
      let n = rng.int(3, 6);
      while (n >= 2 && x + 13 * n > r.x1) n--;
      if (n < 2) break;
      out.push({
        kind: "slab",
        rect: { x0: x, y0: y, x1: x + 13 * n, y1: y + 12 },
        axis: "ew",
        floors: 6,
        perFloor: 2,
        households: Array.from({ length: n }, () => 12),
      });
      x += 13 * n + rng.range(14, 22);
    }
  }
  return out;
}

/** Rows of 18–33-storey towers with 1–3 entrances and 2–4 households per floor per entrance. */
export function towers(r: Rect, rng: Rng): Candidate[] {
  const out: Candidate[] = [];
  for (let y = r.y0; y + 20 <= r.y1; y += 18 + rng.range(44, 56)) {
    let x = r.x0;
    for (;;) {
      let n = rng.weighted([
        [1, 0.25],
        [2, 0.55],
        [3, 0.2],
      ] as const);
      const width = (k: number) => (k === 1 ? 24 : k === 2 ? 38 : 54);
      while (n >= 1 && x + width(n) > r.x1) n--;
      if (n < 1) break;
      const depth = n === 1 ? 20 : 17;
      if (y + depth > r.y1) break;
      const floors = rng.int(18, 33);
      const perFloor = n === 1 ? 4 : n === 2 ? rng.int(2, 3) : 2;
      out.push({
        kind: "tower",
        rect: { x0: x, y0: y, x1: x + width(n), y1: y + depth },
        axis: "ew",
        floors,
        perFloor,
        households: Array.from({ length: n }, () => floors * perFloor),
      });
      x += width(n) + rng.range(28, 38);
    }
  }
  return out;
}

/** Close rows of one- and two-storey houses (one entrance, a few households each) along narrow lanes. */
export function lowrise(r: Rect, rng: Rng): Candidate[] {
  const out: Candidate[] = [];
  for (let y = r.y0; y + 7 <= r.y1; y += 7 + rng.range(4.5, 6.5)) {
    let x = r.x0;
    for (;;) {
      const w = rng.range(8, 14);
      if (x + w > r.x1) break;
      const floors = rng.chance(0.7) ? 1 : 2;
      out.push({
        kind: "lowrise",
        rect: { x0: x, y0: y, x1: x + w, y1: y + 7 },
        axis: "ew",
        floors,
        perFloor: 0,
        households: [floors === 1 ? rng.int(1, 3) : rng.int(2, 5)],
      });
      x += w + rng.range(2.5, 4);
    }
  }
  return out;
}
