import type { Rng } from "./random.ts";
import type { RoadClass } from "./types.ts";

/** Local metres east and north of the south-west corner of the demo area. */
export type XY = [number, number];

/** An axis-aligned rectangle in local metres. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

type LineClass = RoadClass | "river";

/** What runs along one mesh line: a named road of one class, or the river. */
interface MeshLine {
  cls: LineClass;
  name: string;
}

/**
 * The street plan is a jittered mesh: column lines run north–south, row lines east–west, and every road or the
 * river follows one of them. Arterials and secondaries are continuous; some local edges are left out to make
 * superblocks. Community boundaries follow arterials, one secondary (新城街) and the river, so they are always
 * on a road centre line or the river's centre line.
 */
export const COLUMN_LINES: readonly MeshLine[] = [
  { cls: "arterial", name: "永清路" },
  { cls: "local", name: "文化路" },
  { cls: "secondary", name: "民主路" },
  { cls: "local", name: "育新路" },
  { cls: "arterial", name: "建国路" },
  { cls: "local", name: "团结路" },
  { cls: "secondary", name: "红星路" },
  { cls: "local", name: "光明路" },
  { cls: "arterial", name: "创业路" },
  { cls: "local", name: "和顺路" },
  { cls: "secondary", name: "新华路" },
  { cls: "local", name: "兴业路" },
  { cls: "arterial", name: "经纬路" },
];

export const ROW_LINES: readonly MeshLine[] = [
  { cls: "arterial", name: "辽河大街" },
  { cls: "local", name: "滨河南街" },
  { cls: "river", name: "新开河" },
  { cls: "secondary", name: "滨河北街" },
  { cls: "local", name: "康宁街" },
  { cls: "arterial", name: "松辽大街" },
  { cls: "local", name: "嘉和街" },
  { cls: "secondary", name: "新城街" },
  { cls: "local", name: "兴安街" },
  { cls: "arterial", name: "霍林河大街" },
];

export const NI = COLUMN_LINES.length - 1;
export const NJ = ROW_LINES.length - 1;
const RIVER_ROW = ROW_LINES.findIndex((l) => l.cls === "river");
const DX = 260;
const DY = 270;
/** Half the river's width, metres. */
export const RIVER_HALF_WIDTH_M = 32;

/** From a road's (or the river's) centre line to where a compound wall or a building may stand, metres. */
export const SETBACK_M: Record<LineClass, number> = { arterial: 30, secondary: 20, local: 12, river: 50 };
/** Half the carriageway plus pavement, metres: cameras at a junction stand just beyond it. */
export const ROAD_HALF_WIDTH_M: Record<RoadClass, number> = { arterial: 20, secondary: 12, local: 7 };
const RANK: Record<LineClass, number> = { river: 0, local: 1, secondary: 2, arterial: 3 };

export type Style = "slab" | "tower" | "mixed" | "old";

/** A community's territory as a rectangle of mesh cells, and the number of grids the 2022 plan gives it. */
export interface CommunityLayout {
  code: string;
  nameEn: string;
  i0: number;
  i1: number;
  j0: number;
  j1: number;
  grids: number;
  style: Style;
}

/** The 11 communities (codes from sources/xincheng-communities.csv); the grid counts sum to the report's 227. */
export const COMMUNITY_LAYOUT: readonly CommunityLayout[] = [
  { code: "150571003014", nameEn: "Longxing", i0: 0, i1: 4, j0: 7, j1: 9, grids: 20, style: "slab" },
  { code: "150571003002", nameEn: "Taifeng", i0: 4, i1: 8, j0: 7, j1: 9, grids: 21, style: "slab" },
  { code: "150571003001", nameEn: "Meirui Longyuan", i0: 8, i1: 12, j0: 7, j1: 9, grids: 22, style: "mixed" },
  { code: "150571003010", nameEn: "Jinghan Xincheng", i0: 0, i1: 4, j0: 5, j1: 7, grids: 19, style: "mixed" },
  { code: "150571003005", nameEn: "Jindu Xincheng", i0: 4, i1: 8, j0: 5, j1: 7, grids: 23, style: "tower" },
  { code: "150571003015", nameEn: "Xiwang Xincheng", i0: 8, i1: 12, j0: 5, j1: 7, grids: 20, style: "slab" },
  { code: "150571003009", nameEn: "Hepan Huayuan", i0: 0, i1: 4, j0: 2, j1: 5, grids: 21, style: "mixed" },
  { code: "150571003011", nameEn: "Bei'an Huating", i0: 4, i1: 8, j0: 2, j1: 5, grids: 24, style: "tower" },
  { code: "150571003007", nameEn: "Shuiyu Lanwan", i0: 8, i1: 12, j0: 2, j1: 5, grids: 22, style: "tower" },
  { code: "150571003016", nameEn: "Liaohe", i0: 0, i1: 8, j0: 0, j1: 2, grids: 18, style: "old" },
  { code: "150571003003", nameEn: "Tianyu Lanwan", i0: 8, i1: 12, j0: 0, j1: 2, grids: 17, style: "tower" },
];

interface Edge {
  cls: LineClass;
  /** Vertices from the west (or south) node to the east (or north) node. */
  pts: XY[];
  present: boolean;
}

/** One side of a block: the class and name of what runs along it. */
export interface BlockSide {
  cls: LineClass;
  name: string;
  /** "row" sides run east–west, "col" sides north–south. */
  along: "row" | "col";
  /** The side's vertices, in the ring's direction. */
  pts: XY[];
}

/** A block as the generator sees it: a rectangle of mesh cells bounded by roads or the river. */
export interface GenBlock {
  id: number;
  communityCode: string;
  i0: number;
  i1: number;
  j0: number;
  j1: number;
  ring: XY[];
  /** Where walls and buildings may stand: the block shrunk by each side's setback. */
  inner: Rect;
  sides: { s: BlockSide; e: BlockSide; n: BlockSide; w: BlockSide };
}

export interface GenRoad {
  cls: RoadClass;
  name: string;
  pts: XY[];
}

/** A junction of roads, with the roads that meet there. */
export interface Junction {
  at: XY;
  /** Classes and names of the roads along the row and the column through this node (null where none). */
  row: { cls: RoadClass; name: string } | null;
  col: { cls: RoadClass; name: string } | null;
  /** Directions (unit vectors) of the road arms leaving the junction. */
  arms: XY[];
  /** Which of the four quadrants (ne, nw, sw, se as [sx, sy]) lie inside the subdistrict. */
  quadrants: XY[];
}

export interface Territory {
  subdistrictRing: XY[];
  communityRings: Map<string, XY[]>;
  roads: GenRoad[];
  riverCentre: XY[];
  riverRing: XY[];
  blocks: GenBlock[];
  junctions: Junction[];
}

/** Builds the street plan, the river, the community territories and the blocks. */
export function buildTerritory(rng: Rng): Territory {
  const node: XY[][] = [];
  for (let i = 0; i <= NI; i++) {
    node.push([]);
    for (let j = 0; j <= NJ; j++) node[i]!.push([i * DX + rng.range(-14, 14), j * DY + rng.range(-14, 14)]);
  }
  const at = (i: number, j: number) => node[i]![j]!;

  const h: Edge[][] = [];
  for (let i = 0; i < NI; i++) {
    h.push([]);
    for (let j = 0; j <= NJ; j++) {
      const cls = ROW_LINES[j]!.cls;
      const a = at(i, j);
      const b = at(i + 1, j);
      const pts: XY[] = cls === "river" ? meander(a, b, rng.range(12, 24) * (i % 2 === 0 ? 1 : -1)) : [a, b];
      h[i]!.push({ cls, pts, present: true });
    }
  }
  const v: Edge[][] = [];
  for (let i = 0; i <= NI; i++) {
    v.push([]);
    for (let j = 0; j < NJ; j++)
      v[i]!.push({ cls: COLUMN_LINES[i]!.cls, pts: [at(i, j), at(i, j + 1)], present: true });
  }

  // Cells merge into superblocks where a local edge is left out; a cell takes part in at most one merge, so every
  // block stays a rectangle of cells and every junction keeps at least a straight road through it.
  const parent = new Map<string, string>();
  const key = (i: number, j: number) => `${i},${j}`;
  const merged = new Set<string>();
  const merge = (a: [number, number], b: [number, number]) => {
    parent.set(key(...b), key(...a));
    merged.add(key(...a));
    merged.add(key(...b));
  };
  // Local column roads stop at the river: only arterials and secondaries bridge it.
  for (let i = 1; i < NI; i += 2) {
    for (const j of [RIVER_ROW - 1, RIVER_ROW]) {
      v[i]![j]!.present = false;
      merge([i - 1, j], [i, j]);
    }
  }
  const candidates: ["v" | "h", number, number][] = [];
  for (let i = 1; i < NI; i++) for (let j = 0; j < NJ; j++) if (v[i]![j]!.cls === "local") candidates.push(["v", i, j]);
  for (let i = 0; i < NI; i++) for (let j = 1; j < NJ; j++) if (h[i]![j]!.cls === "local") candidates.push(["h", i, j]);
  for (const [dir, i, j] of rng.shuffle(candidates)) {
    const a: [number, number] = dir === "v" ? [i - 1, j] : [i, j - 1];
    const b: [number, number] = [i, j];
    if (merged.has(key(...a)) || merged.has(key(...b)) || !rng.chance(0.22)) continue;
    (dir === "v" ? v[i]![j]! : h[i]![j]!).present = false;
    merge(a, b);
  }

  const communityOf = (i: number, j: number) => {
    const c = COMMUNITY_LAYOUT.find((c) => i >= c.i0 && i < c.i1 && j >= c.j0 && j < c.j1);
    if (!c) throw new Error(`cell ${i},${j} has no community`);
    return c.code;
  };

  const ringOf = (i0: number, i1: number, j0: number, j1: number) => {
    const s: XY[] = [];
    for (let i = i0; i < i1; i++) append(s, h[i]![j0]!.pts);
    const e: XY[] = [];
    for (let j = j0; j < j1; j++) append(e, v[i1]![j]!.pts);
    const n: XY[] = [];
    for (let i = i1 - 1; i >= i0; i--) append(n, h[i]![j1]!.pts.slice().reverse());
    const w: XY[] = [];
    for (let j = j1 - 1; j >= j0; j--) append(w, v[i0]![j]!.pts.slice().reverse());
    const ring: XY[] = [];
    for (const side of [s, e, n, w]) append(ring, side);
    return { ring, s, e, n, w };
  };

  const blocks: GenBlock[] = [];
  const groups = new Map<string, [number, number][]>();
  for (let j = NJ - 1; j >= 0; j--) {
    for (let i = 0; i < NI; i++) {
      const root = parent.get(key(i, j)) ?? key(i, j);
      const cells = groups.get(root) ?? [];
      cells.push([i, j]);
      groups.set(root, cells);
    }
  }
  for (const cells of groups.values()) {
    const i0 = Math.min(...cells.map((c) => c[0]));
    const i1 = Math.max(...cells.map((c) => c[0])) + 1;
    const j0 = Math.min(...cells.map((c) => c[1]));
    const j1 = Math.max(...cells.map((c) => c[1])) + 1;
    const r = ringOf(i0, i1, j0, j1);
    const side = (pts: XY[], line: MeshLine, along: "row" | "col"): BlockSide => ({
      cls: line.cls,
      name: line.name,
      along,
      pts,
    });
    const sides = {
      s: side(r.s, ROW_LINES[j0]!, "row"),
      e: side(r.e, COLUMN_LINES[i1]!, "col"),
      n: side(r.n, ROW_LINES[j1]!, "row"),
      w: side(r.w, COLUMN_LINES[i0]!, "col"),
    };
    const inner: Rect = {
      x0: Math.max(...r.w.map((p) => p[0])) + SETBACK_M[sides.w.cls],
      y0: Math.max(...r.s.map((p) => p[1])) + SETBACK_M[sides.s.cls],
      x1: Math.min(...r.e.map((p) => p[0])) - SETBACK_M[sides.e.cls],
      y1: Math.min(...r.n.map((p) => p[1])) - SETBACK_M[sides.n.cls],
    };
    blocks.push({
      id: blocks.length + 1,
      communityCode: communityOf(i0, j0),
      i0,
      i1,
      j0,
      j1,
      ring: r.ring,
      inner,
      sides,
    });
  }

  const roads: GenRoad[] = [];
  for (let j = 0; j <= NJ; j++) {
    const line = ROW_LINES[j]!;
    if (line.cls === "river") continue;
    for (const run of runs(NI, (i) => h[i]![j]!)) roads.push({ cls: line.cls, name: line.name, pts: run });
  }
  for (let i = 0; i <= NI; i++) {
    const line = COLUMN_LINES[i]!;
    if (line.cls === "river") continue;
    for (const run of runs(NJ, (j) => v[i]![j]!)) roads.push({ cls: line.cls, name: line.name, pts: run });
  }

  const riverCentre: XY[] = [];
  const w0 = at(0, RIVER_ROW);
  const e0 = at(NI, RIVER_ROW);
  append(riverCentre, meander([w0[0] - 420, w0[1] - 40], w0, 18));
  for (let i = 0; i < NI; i++) append(riverCentre, h[i]![RIVER_ROW]!.pts);
  append(riverCentre, meander(e0, [e0[0] + 420, e0[1] + 30], -18));

  const junctions: Junction[] = [];
  for (let i = 0; i <= NI; i++) {
    for (let j = 0; j <= NJ; j++) {
      if (j === RIVER_ROW) continue;
      const arms: XY[] = [];
      const p = at(i, j);
      const rowRoad = ROW_LINES[j]!;
      const colRoad = COLUMN_LINES[i]!;
      const hasW = i > 0 && h[i - 1]![j]!.present;
      const hasE = i < NI && h[i]![j]!.present;
      const hasS = j > 0 && v[i]![j - 1]!.present;
      const hasN = j < NJ && v[i]![j]!.present;
      if (hasW) arms.push(unit(p, at(i - 1, j)));
      if (hasE) arms.push(unit(p, at(i + 1, j)));
      if (hasS) arms.push(unit(p, at(i, j - 1)));
      if (hasN) arms.push(unit(p, at(i, j + 1)));
      if (arms.length < 3) continue;
      const quadrants: XY[] = [];
      for (const [sx, sy] of [
        [1, 1],
        [-1, 1],
        [-1, -1],
        [1, -1],
      ] as XY[]) {
        const ci = sx > 0 ? i : i - 1;
        const cj = sy > 0 ? j : j - 1;
        if (ci >= 0 && ci < NI && cj >= 0 && cj < NJ) quadrants.push([sx, sy]);
      }
      junctions.push({
        at: p,
        row: hasW || hasE ? { cls: rowRoad.cls as RoadClass, name: rowRoad.name } : null,
        col: hasS || hasN ? { cls: colRoad.cls as RoadClass, name: colRoad.name } : null,
        arms,
        quadrants,
      });
    }
  }

  const communityRings = new Map<string, XY[]>();
  for (const c of COMMUNITY_LAYOUT) communityRings.set(c.code, ringOf(c.i0, c.i1, c.j0, c.j1).ring);

  return {
    subdistrictRing: ringOf(0, NI, 0, NJ).ring,
    communityRings,
    roads,
    riverCentre,
    riverRing: offsetRing(riverCentre, RIVER_HALF_WIDTH_M),
    blocks,
    junctions,
  };
}

/** Appends points, skipping the first when it repeats the last one already there. */
function append(out: XY[], pts: readonly XY[]): void {
  for (const p of pts) {
    const last = out[out.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) continue;
    out.push(p);
  }
}

/** Consecutive present edges of one line, each run joined into one polyline. */
function runs(count: number, edge: (k: number) => Edge): XY[][] {
  const out: XY[][] = [];
  let current: XY[] = [];
  for (let k = 0; k < count; k++) {
    const e = edge(k);
    if (e.present) append(current, e.pts);
    else if (current.length) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}

/** A gentle bend from a to b: one arc of a sine, `amplitude` metres to the left of the chord at its middle. */
function meander(a: XY, b: XY, amplitude: number): XY[] {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = Math.hypot(dx, dy);
  const nx = -dy / len;
  const ny = dx / len;
  const pts: XY[] = [a];
  const steps = 8;
  for (let k = 1; k < steps; k++) {
    const t = k / steps;
    const off = amplitude * Math.sin(Math.PI * t);
    pts.push([a[0] + dx * t + nx * off, a[1] + dy * t + ny * off]);
  }
  pts.push(b);
  return pts;
}

function unit(from: XY, to: XY): XY {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const len = Math.hypot(dx, dy);
  return [dx / len, dy / len];
}

/** The outline of a band `half` metres either side of a gently curving polyline (mitred joins). */
function offsetRing(line: XY[], half: number): XY[] {
  const left: XY[] = [];
  const right: XY[] = [];
  for (let k = 0; k < line.length; k++) {
    const prev = line[Math.max(0, k - 1)]!;
    const next = line[Math.min(line.length - 1, k + 1)]!;
    const cur = line[k]!;
    const d1 = unit(k > 0 ? prev : cur, k > 0 ? cur : next);
    const d2 = unit(k < line.length - 1 ? cur : prev, k < line.length - 1 ? next : cur);
    let nx = -(d1[1] + d2[1]);
    let ny = d1[0] + d2[0];
    const nlen = Math.hypot(nx, ny);
    nx /= nlen;
    ny /= nlen;
    const scale = half / Math.max(0.5, nx * -d1[1] + ny * d1[0]);
    left.push([cur[0] + nx * scale, cur[1] + ny * scale]);
    right.push([cur[0] - nx * scale, cur[1] - ny * scale]);
  }
  const ring = [...right, ...left.reverse()];
  ring.push(ring[0]!);
  return ring;
}

/** Whether a side's road is a street a shop would face. */
export function isFrontage(side: BlockSide): boolean {
  return side.cls === "arterial" || side.cls === "secondary";
}

/** The more important of two sides' roads (arterial over secondary over local; the river last). */
export function rank(side: BlockSide): number {
  return RANK[side.cls];
}

/** Whether a point lies inside a closed ring (even–odd rule). */
export function insideRing([x, y]: XY, ring: readonly XY[]): boolean {
  let inside = false;
  for (let a = 0, b = ring.length - 1; a < ring.length; b = a++) {
    const [xa, ya] = ring[a]!;
    const [xb, yb] = ring[b]!;
    if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
  }
  return inside;
}
